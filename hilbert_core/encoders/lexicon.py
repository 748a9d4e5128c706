"""``lexicon``: interpretable psycholinguistic features per segment, offline and without model weights.

The classic clinical-speech text baseline in the spirit of LIWC (Pennebaker, Boyd, Jordan & Blackburn
2015, *The development and psychometric properties of LIWC2015*). LIWC's dictionaries are proprietary, so
every list below is our own small curation of common conversational words, guided by the published
category definitions and examples:

- ``pron_1sg`` (I, me, my, mine, myself): Rude, Gortner & Pennebaker 2004, *Language use of depressed and
  depression-vulnerable college students*, Cognition & Emotion 18(8).
- ``pron_1pl``, ``pron_2``, ``pron_3``: Tausczik & Pennebaker 2010, *The psychological meaning of words*,
  J. Lang. Soc. Psychol. 29(1) (personal-pronoun categories; singular "they" falls in ``pron_3``).
- ``absolutist``: the 19-word absolutist dictionary of Al-Mosaiwi & Johnstone 2018, *In an absolute state*,
  Clin. Psychol. Sci. 6(4) (it includes "ever", "all", "must", "full"), plus "entirely", "everybody" and
  "fully" (our additions: inflections or synonyms of listed words).
- ``negemo``, ``posemo``, ``sad``, ``anx``, ``anger``: LIWC2015 affect categories (manual, Table 1),
  curated with high-frequency words of the NRC Emotion Lexicon (Mohammad & Turney 2013, Comput. Intell.
  29(3)). As in LIWC, ``negemo`` also counts every ``sad``, ``anx`` and ``anger`` word.
- ``certainty`` (boosters) and ``tentative`` (hedges): Hyland 2005, *Metadiscourse*, appendix lists, and
  LIWC "certain"/"tentat".
- ``negation``: LIWC "negate"; every ``n't`` contraction counts.
- ``cogproc`` (insight and causation words): Pennebaker, Mayne & Francis 1997, *Linguistic predictors of
  adaptive bereavement*, J. Pers. Soc. Psychol. 72(4).
- ``social`` (communication, family, friends and people; pronouns are kept separate): LIWC "social".
- ``death``: Stirman & Pennebaker 2001, *Word use in the poetry of suicidal and nonsuicidal poets*,
  Psychosom. Med. 63(4).
- ``filler``: um, uh, er, hmm, ... (Clark & Fox Tree 2002, *Using uh and um in spontaneous speaking*,
  Cognition 84(1)), the phrases "you know" and "i mean" (Fox Tree & Schrock 2002, J. Pragmat. 34(6)), and
  "like" only when a comma sets it off ("it was, like, huge"): without a tagger "feel like" cannot be told
  from the discourse marker, so bare "like" is not a filler. Words of a filler phrase keep their other
  categories ("you" in "you know" is still ``pron_2``).
- ``focus_past``, ``focus_present``, ``focus_future``: LIWC time orientation, as short word lists (no tagger).

Tokens are runs of letters with inner apostrophes, lowercased (curly apostrophes become ``'``). A word may
fall in several categories ("never": ``absolutist`` and ``negation``). A contraction is one word that counts
for its stem and its clitic: "i'm" is ``pron_1sg`` and ``focus_present``, "won't" is ``negation`` and
``focus_future``, "didn't" is ``negation`` and ``focus_past``. Category features are rates,
``count / max(num_words, 1)``; then come ``log1p_words``, ``mean_word_len`` (letters), ``type_token_ratio``,
``long_word_rate`` (more than 6 letters), ``num_question_marks`` and ``num_sentences`` (chunks between
``.!?`` that contain a word). An empty or silent segment gives zeros.

Shapes: ``N`` texts, ``D`` features (26).
"""

from __future__ import annotations

import hashlib
import json
import math
import re

import numpy as np

from .registry import TEXT_ENCODERS


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


CATEGORIES: dict[str, frozenset[str]] = {
    "pron_1sg": _words("i me my mine myself"),
    "pron_1pl": _words("we us our ours ourselves let's"),
    "pron_2": _words("you your yours yourself yourselves y'all ya"),
    "pron_3": _words("he him his himself she her hers herself they them their theirs themselves"),
    "absolutist": _words(
        "absolutely all always complete completely constant constantly definitely entire ever every "
        "everyone everything full must never nothing totally whole entirely everybody fully"
    ),
    "negemo": _words(
        "bad worse worst awful terrible horrible hurt hurts hurting pain painful wrong ugly nasty suffer "
        "suffered suffering bother bothered upset ashamed shame guilt guilty fail failed failure struggle "
        "struggled struggling weak unfortunately"
    ),
    "posemo": _words(
        "good great nice love loved loves lovely happy happier happiness glad joy joyful enjoy enjoyed "
        "enjoying fun funny laugh laughed laughing hope hoped hopeful best better wonderful amazing awesome "
        "excellent beautiful pleasant pleased proud calm relaxed relief relieved comfortable safe grateful "
        "thankful thanks thank kind caring smile smiled excited exciting interesting peace peaceful"
    ),
    "sad": _words(
        "sad sadness sadly unhappy depressed depression depressing cry cried crying tears grief grieve "
        "grieving lonely loneliness alone miss missed hopeless hopelessness helpless worthless empty "
        "heartbroken mourn mourning sorrow weep miserable despair disappointed regret"
    ),
    "anx": _words(
        "worry worried worries worrying anxious anxiety nervous afraid fear fears feared fearful scared "
        "scary panic panicked stress stressed stressful tense tension uneasy overwhelmed terrified dread "
        "frightened nightmare nightmares insecure restless embarrassed"
    ),
    "anger": _words(
        "angry anger mad furious hate hated hates annoyed annoying irritated irritable frustrated "
        "frustrating frustration rage resent resentment hostile fight fought fighting argue argued argument "
        "yell yelled shout shouted pissed jealous bitter"
    ),
    "certainty": _words(
        "certain certainly sure surely definite definitely clearly obviously undoubtedly indeed truly "
        "exactly precisely evident evidently undeniably doubtless guaranteed"
    ),
    "tentative": _words(
        "maybe perhaps possibly possible probably probable likely unlikely might may seem seems seemed "
        "seemingly apparently guess guessed suppose somewhat kinda sorta somehow unsure uncertain unclear "
        "doubt doubtful wonder wondering almost fairly roughly approximately presumably suspect sometimes"
    ),
    "negation": _words("no not never none nobody nothing nowhere neither nor without cannot nope nah"),
    "cogproc": _words(
        "think thinks thinking thought thoughts know knows knowing knew known understand understood realize "
        "realized realise realised believe believed consider considered mean means meant because cause "
        "caused causes cos cuz reason reasons why therefore hence thus effect figure figured idea ideas "
        "decide decided decision explain explained learn learned learnt notice noticed remember remembered "
        "forget forgot"
    ),
    "social": _words(
        "talk talks talked talking say says said tell tells told ask asked asking speak spoke call called "
        "friend friends family mother mom mum father dad parent parents brother brothers sister sisters son "
        "sons daughter daughters husband wife partner boyfriend girlfriend kid kids child children baby "
        "grandma grandpa grandmother grandfather people person neighbor neighbors neighbour neighbours "
        "colleague colleagues team together visit visited meet met share shared"
    ),
    "death": _words(
        "die dies died dying dead death deaths deadly kill kills killed killing suicide suicidal funeral "
        "funerals grave graves bury buried burial coffin corpse deceased mortal mortality cemetery widow "
        "widowed overdose"
    ),
    "filler": _words("um umm uh uhh uhm er erm hmm hm mm mhm ah eh"),
    "focus_past": _words(
        "was were had did been went came got made took saw felt thought knew told said gave left became "
        "began seemed tried wanted used ago yesterday previously earlier happened"
    ),
    "focus_present": _words(
        "am is are do does has have now today currently nowadays being feel feels seem seems think know want "
        "wants need needs"
    ),
    "focus_future": _words(
        "will shall gonna tomorrow soon later future eventually upcoming plan plans planning"
    ),
}
# A parent category also counts every word of its children (LIWC's hierarchy).
HIERARCHY: dict[str, tuple[str, ...]] = {"negemo": ("sad", "anx", "anger")}
# Clitic -> categories it adds to its stem's ("i'm" -> pron_1sg + focus_present).
CLITICS: dict[str, tuple[str, ...]] = {
    "n't": ("negation",),
    "'ll": ("focus_future",),
    "'m": ("focus_present",),
    "'re": ("focus_present",),
}
# Stems of irregular n't contractions (won't, can't, shan't, ain't).
NT_STEMS: dict[str, str] = {"wo": "will", "ca": "can", "sha": "shall", "ai": "is"}
FILLER_PHRASES: tuple[str, ...] = ("you know", "i mean")
STAT_NAMES: tuple[str, ...] = (
    "log1p_words",
    "mean_word_len",
    "type_token_ratio",
    "long_word_rate",
    "num_question_marks",
    "num_sentences",
)
_VERSION = 1  # bump when the feature code (not a list) changes what it computes

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")
_SENTENCE_END = re.compile(r"[.!?]+")
_LIKE_FILLER = re.compile(r",\s*like\b|\blike\s*,")
_LONG_WORD = 6  # letters; longer words count in long_word_rate


def lexicon_revision() -> str:
    """16 hex characters of the SHA-256 of the word lists, rules and feature code version."""
    payload = {
        "version": _VERSION,
        "categories": {name: sorted(words) for name, words in CATEGORIES.items()},
        "hierarchy": HIERARCHY,
        "clitics": CLITICS,
        "nt_stems": NT_STEMS,
        "filler_phrases": FILLER_PHRASES,
        "stats": STAT_NAMES,
        "patterns": [_WORD.pattern, _SENTENCE_END.pattern, _LIKE_FILLER.pattern, _LONG_WORD],
    }
    text = json.dumps(payload, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@TEXT_ENCODERS.register("lexicon")
class LexiconEncoder:
    """Per-segment LIWC-style word-category rates and text statistics (see the module docstring): (N, D).

    Args:
        device: ignored (pure Python); accepted so every text encoder builds with the same arguments.
        batch_size: ignored, for the same reason.

    Attributes:
        name: ``"lexicon"``.
        revision: hash of the word lists and rules, so cached features go stale when a list changes.
        dim: ``D``, the number of features (26 with the built-in lists).
        feature_names: the ``D`` feature names, in column order.
    """

    def __init__(self, device: str = "cpu", batch_size: int | None = None) -> None:
        del device, batch_size
        self.name = "lexicon"
        self.revision = lexicon_revision()
        categories = list(CATEGORIES)
        self.feature_names = [*categories, *STAT_NAMES]
        self.dim = len(self.feature_names)
        self._num_categories = len(categories)
        self._filler = categories.index("filler")
        index: dict[str, set[int]] = {}
        for k, name in enumerate(categories):
            for child in (name, *HIERARCHY.get(name, ())):
                for word in CATEGORIES[child]:
                    index.setdefault(word, set()).add(k)
        self._index = {word: tuple(sorted(ks)) for word, ks in index.items()}
        self._clitics = {c: tuple(categories.index(n) for n in names) for c, names in CLITICS.items()}
        phrases = "|".join(re.escape(p) for p in FILLER_PHRASES)
        self._phrases = re.compile(rf"(?<!\S)(?:{phrases})(?!\S)")

    def encode(self, texts: list[str]) -> np.ndarray:
        """N strings -> (N, D) float32; empty strings give zero rows.

        Raises:
            ValueError: when ``texts`` is a single string or holds something other than strings.
        """
        if isinstance(texts, str):
            raise ValueError(f"{self.name}: texts={texts[:40]!r} is one string; pass a list of strings.")
        texts = list(texts)
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise ValueError(
                    f"{self.name}: texts[{i}] is {type(text).__name__}, not a string; "
                    "replace missing text by ''."
                )
        rows = [self._features(text) for text in texts]
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), self.dim)  # (N, D)

    def _categories_of(self, token: str) -> tuple[int, ...]:
        """Category indices of one token; a contraction gets its stem's plus its clitic's."""
        hit = self._index.get(token)
        if hit is not None or "'" not in token:
            return hit or ()
        if token.endswith("n't"):
            stem, clitic = token[:-3], "n't"
            stem = NT_STEMS.get(stem, stem)
        else:
            stem, _, rest = token.partition("'")
            clitic = "'" + rest
        return tuple(sorted({*self._index.get(stem, ()), *self._clitics.get(clitic, ())}))

    def _features(self, text: str) -> list[float]:
        """One text -> D floats."""
        text = text.translate(_APOSTROPHES).lower()
        tokens = _WORD.findall(text)
        counts = [0] * self._num_categories
        for token in tokens:
            for k in self._categories_of(token):
                counts[k] += 1
        if tokens:
            counts[self._filler] += len(self._phrases.findall(" ".join(tokens)))
            counts[self._filler] += len(_LIKE_FILLER.findall(text))
        num_words = len(tokens)
        denom = max(num_words, 1)
        letters = [len(t) - t.count("'") for t in tokens]
        stats = [
            math.log1p(num_words),
            sum(letters) / denom,
            len(set(tokens)) / denom,
            sum(n > _LONG_WORD for n in letters) / denom,
            float(text.count("?")),
            float(sum(1 for chunk in _SENTENCE_END.split(text) if _WORD.search(chunk))),
        ]
        return [c / denom for c in counts] + stats
