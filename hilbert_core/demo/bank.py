"""Text banks of the demo interviews: prompts, slot fillers, neutral answers and cue sentences.

A template is a sentence with ``{slot}`` placeholders; :func:`fill` replaces each with a random filler
from :data:`SLOTS` (fillers may hold slots themselves), so a few hundred templates give thousands of
distinct sentences. Cue banks are keyed by cue name (see :mod:`hilbert_core.demo.script` for the
rationale and sources of every cue).
"""

from __future__ import annotations

import re

import numpy as np

PROMPTS: dict[str, str] = {
    "feeling": "How have you been feeling lately?",
    "sleep": "How have you been sleeping?",
    "energy": "How is your energy during the day?",
    "work": "How are things going with work or your studies?",
    "social": "How are things with your friends and family?",
    "day": "Can you describe a typical day for me?",
    "future": "What are your plans for the future?",
    "hobbies": "What do you like to do in your free time?",
    "worries": "Is anything worrying you at the moment?",
    "recent": "Tell me about something that happened recently.",
    "concentration": "How is your concentration, for example when reading or watching TV?",
    "appetite": "How is your appetite?",
    "weekend": "What did you do last weekend?",
    "home": "Tell me a little about where you live.",
    "unusual": "Have you had any unusual experiences, like hearing or seeing things others do not?",
}
ALWAYS_ASKED = ("feeling", "sleep")  # every interview opens with these two
OPTIONAL_PROMPT = "unusual"  # asked in only some interviews

# Data table: one slot per line reads better than one filler per line.
# fmt: off
SLOTS: dict[str, tuple[str, ...]] = {
    "time": ("these days", "lately", "over the last few weeks", "since the spring", "this month", "recently"),
    "relative": (
        "my sister", "my brother", "my mother", "my father", "my partner", "my cousin", "my best friend",
        "my neighbour", "my daughter", "my son", "my aunt", "my flatmate",
    ),
    "job": (
        "a nurse", "a bus driver", "a teacher", "a cashier", "an accountant", "a chef", "an electrician",
        "a receptionist", "a software tester", "a care assistant", "a postman", "a hairdresser",
    ),
    "place": (
        "at the local hospital", "in a small office downtown", "at a supermarket", "for the city council",
        "at a primary school", "in a restaurant near the station", "from home most days", "at a garage",
    ),
    "subject": ("nursing", "accounting", "history", "computer science", "social work", "graphic design"),
    "activity": (
        "cooking", "gardening", "playing the guitar", "reading crime novels", "swimming", "painting",
        "knitting", "playing football", "doing crosswords", "running", "baking bread", "watching old films",
        "fishing", "playing chess", "cycling", "doing yoga",
    ),
    "spot": (
        "the park", "the library", "the market", "the beach", "my parents' house", "the gym",
        "the town centre", "the cinema", "a little cafe", "the swimming pool",
    ),
    "day": (
        "on Monday", "last weekend", "on Friday evening", "a couple of days ago", "last Tuesday",
        "yesterday", "on Sunday morning", "last week",
    ),
    "hours": ("six", "seven", "seven and a half", "eight", "about seven"),
    "bedtime": ("ten", "eleven", "half past ten", "midnight", "half past eleven"),
    "waketime": ("six", "seven", "half past six", "eight", "a quarter to seven"),
    "late": ("two", "three", "half past two", "four"),
    "early": ("three", "four", "half past four", "five"),
    "few": ("three", "four", "four or five", "two or three"),
    "plan": (
        "finish my course", "save up for a holiday", "move to a bigger flat", "learn to drive",
        "get a promotion", "visit my family abroad", "start a vegetable garden", "take an evening class",
        "get a dog", "do a short walking trip",
    ),
    "hassle": (
        "the trains being late", "a deadline at work", "an argument about the washing up", "a bad cold",
        "the car breaking down", "a late bill", "a noisy neighbour",
    ),
    "worry": (
        "money", "my mother's health", "the rent going up", "an exam next month", "my job contract",
        "my son's school", "the car needing repairs",
    ),
    "event": (
        "we had a small birthday party for {relative}", "I went to {spot} with {relative}",
        "{relative} came over for dinner", "we finally painted the kitchen", "I started a new book",
        "our team won a quiz at the pub",
    ),
    "always": ("always", "constantly", "all the time", "every single day"),
    "sad": ("sad", "hopeless", "empty", "miserable", "worthless", "numb", "low", "lonely", "guilty"),
    "upset": ("upset", "frustrated", "anxious", "tense", "irritable", "sad", "angry"),
    "glad": ("happy", "cheerful", "relaxed", "content", "joyful", "hopeful", "grateful"),
    "venture": (
        "open my own restaurant", "write a bestselling novel", "launch an app", "start a clothing brand",
        "buy a boat and sail around the world", "run for the city council", "record an album",
        "build a company that changes everything", "start a podcast", "set up a charity",
    ),
    "skill": ("Japanese", "Italian", "the piano", "Arabic", "the violin", "coding"),
    "topic": ("work", "my neighbour", "football", "the weather", "money", "my car"),
    "device": ("radio", "television", "phone", "walls", "street lights", "computer"),
    "thing": ("the food", "my room", "the water", "my coat", "the post"),
}
# fmt: on

NEUTRAL: dict[str, tuple[str, ...]] = {
    "feeling": (
        "I have been feeling mostly okay {time}, just the usual ups and downs.",
        "Things have been fairly steady {time}, nothing really out of the ordinary.",
        "Overall I would say I am doing alright, work keeps me busy and {relative} checks in on me.",
        "I feel about the same as usual, some days are better than others.",
        "{time} I have been fine, a bit busy with {activity} and seeing {relative}.",
        "Not bad really, I have been keeping myself busy and trying to get out of the house.",
    ),
    "sleep": (
        "I usually go to bed around {bedtime} and sleep about {hours} hours.",
        "My sleep is fine, I fall asleep quickly and wake up feeling rested.",
        "Most nights I sleep through, maybe I wake up once to get a glass of water.",
        "I sleep {hours} hours on weeknights and a little longer at the weekend.",
        "I read for a bit in bed and usually drop off before {bedtime}.",
        "Now and then I wake up early, but I usually fall back asleep quickly.",
        "Some nights I lie awake for a little while, but mostly I sleep well.",
    ),
    "energy": (
        "My energy is reasonable, I get tired in the afternoon but a coffee helps.",
        "I have enough energy for work and usually spend the evening {activity}.",
        "It is normal, I would say, I can get through the day without much trouble.",
        "I have a bit of a dip after lunch, but otherwise my energy is fine.",
    ),
    "work": (
        "I work as {job} {place}, and the hours are fairly regular.",
        "Work is busy at the moment because we are short of staff, but the team is nice.",
        "I am studying {subject} part time and the course is going well so far.",
        "My job is alright, I have been there for a few years and I know everyone.",
        "I started a new shift pattern {time}, which took some getting used to.",
    ),
    "social": (
        "I see {relative} most weekends, we usually have lunch together.",
        "I talk to {relative} on the phone a few times a week.",
        "My friends and I meet at {spot} now and then, usually on a Friday.",
        "Family is fine, {relative} had a baby recently so everyone is excited.",
        "I get on well with {relative}, we sometimes go to {spot} together.",
    ),
    "day": (
        "I get up around {waketime}, have breakfast and then head to work.",
        "After work I cook dinner and watch a bit of television before bed.",
        "On a typical day I take the bus, work until five and then go to {spot}.",
        "Mornings are for chores and shopping, and in the afternoon I spend some time {activity}.",
    ),
    "future": (
        "I would like to {plan} in the next year or so.",
        "Next year I hope to {plan}, if money allows.",
        "I do not have big plans, maybe {plan} and keep things steady.",
        "{relative} and I have talked about trying to {plan} together.",
    ),
    "hobbies": (
        "I enjoy {activity}, I try to do it at least once a week.",
        "At the weekend I like {activity} with {relative}.",
        "I picked up {activity} {time} and I find it quite relaxing.",
        "Mostly {activity}, and sometimes I go to {spot} for a change of scene.",
    ),
    "worries": (
        "I worry a bit about {worry}, but I think it will be fine.",
        "The main thing on my mind is {worry}, like most people I suppose.",
        "Nothing major, just {worry} now and then.",
        "I am keeping an eye on {worry}, but it is under control.",
    ),
    "recent": (
        "{day} {event}, and it was really nice.",
        "Something that happened recently, well, {day} {event}.",
        "Not much happened, although {day} {event}.",
        "{day} I went to {spot}, which made a nice change.",
    ),
    "concentration": (
        "My concentration is fine, I can read a book for an hour without problems.",
        "I can follow a film or a long conversation without losing track.",
        "It is okay, I sometimes drift off in long meetings like everyone does.",
        "I can focus on my work, especially in the morning when it is quiet.",
    ),
    "appetite": (
        "My appetite is normal, I have three meals a day and the odd snack.",
        "I eat well, {relative} is a good cook and we often eat together.",
        "I have been trying to eat more vegetables {time}, but otherwise nothing has changed.",
        "It is fine, I am always hungry after {activity}.",
    ),
    "weekend": (
        "Last weekend I went to {spot} and then had dinner with {relative}.",
        "It was quiet, I did some {activity} and caught up on the washing.",
        "On Saturday I helped {relative} move some furniture, and on Sunday I rested.",
        "We had a barbecue at {relative}'s place, the weather was lovely.",
    ),
    "home": (
        "I live in a small flat near {spot} with {relative}.",
        "It is a terraced house on a quiet street, the neighbours are friendly.",
        "I rent a room in a shared house, it is close to work which is handy.",
        "We have a little garden where I grow tomatoes and herbs in the summer.",
    ),
    "unusual": (
        "No, nothing like that, I have not had any experiences like that.",
        "No, I cannot say I have, nothing unusual has happened to me.",
        "Not really, apart from the odd strange dream after eating late.",
        "No, I have never heard or seen anything that other people could not.",
    ),
}

CUE_TEXT: dict[str, tuple[str, ...]] = {
    "depression": (
        "I {always} feel {sad} and nothing I do seems to make any difference.",
        "I just feel completely {sad}, like I am a burden to everyone around me.",
        "Nothing really matters to me anymore, I never enjoy the things I used to love.",
        "I always mess everything up, I feel like such a total failure.",
        "I cannot remember the last time I felt happy about anything at all.",
        "Most days I do not want to get out of bed, I feel totally empty.",
        "I keep thinking that I am worthless and that it will never get better.",
        "I have stopped {activity} completely, I just cannot see the point anymore.",
        "I feel so {sad} all the time, even when {relative} tries to cheer me up.",
        "Everything feels heavy and I am {always} exhausted, even simple things are too much for me.",
        "I never feel good enough, whatever I do I always let myself down.",
    ),
    "bipolar": (
        "I am going to {venture} and {venture}, honestly I think I could be famous for it.",
        "I have so many brilliant ideas, I barely need to sleep, I wrote three business plans this week.",
        "I am basically the best they have ever had at work, and soon I will run the whole place.",
        "I am starting to {venture}, and learning {skill}, oh and I want to {plan} as well.",
        "Everything is amazing, I feel unstoppable, like I could do anything I set my mind to.",
        "My mind is racing with plans, I will {venture} and {venture} this year.",
        "Talking of {topic}, did I tell you I am going to {venture}? It is going to be huge.",
        "I spent all my savings on equipment because I am going to {venture}, it is a genius idea.",
        "I feel fantastic, better than ever, and people should really listen to my ideas.",
    ),
    "bipolar_shared": (  # enthusiastic but plausible: also said by happy controls (lexical overlap)
        "I am really excited about the future, I want to {plan} and maybe {plan} too.",
        "I feel full of energy {time} and I have lots of plans.",
        "I have been so busy and happy, I joined a club for {activity} and I love it.",
    ),
    "schizophrenia": (
        "They know about it, the thing with the signals, you know how it is.",
        "Sometimes I hear voices talking about me when nobody else is in the room.",
        "The signals come through the {device} at night, so I keep it switched off.",
        "I think they put something in {thing}, it feels different now.",
        "It is hard to say, it is that thing again, the one they mentioned before.",
        "People on the television send me messages, they talk about what I do.",
        "There is a pattern in the numbers on the buses, it means something to me.",
        "My thoughts get taken out of my head sometimes, they stop in the middle.",
        "Well, they said it was fine, but it was not the same, the other one.",
        "The neighbours are part of it, they listen through the {device}.",
    ),
    "poverty": (  # poverty of speech: short, empty answers
        "I do not know really.",
        "Not much, nothing.",
        "It is okay, I suppose.",
        "The same as before.",
        "Nothing to say about that.",
    ),
    "bad_day": (  # controls have bad days too: mildly negative, sometimes absolutist
        "To be honest last week was a bit rough because of {hassle}, but it sorted itself out.",
        "I was annoyed {day} about {hassle}, though it was not a big deal.",
        "Some days I feel a bit down, like everyone, but it passes quickly.",
        "I never seem to have enough time for myself, which is frustrating sometimes.",
        "I felt tired and grumpy {day}, probably just a long week.",
    ),
    "negative": (
        "It has been a hard few weeks, I feel {upset} a lot of the time.",
        "I got {upset} {day} and ended up crying for a while.",
        "Honestly it has been a sad time, I miss {relative} a lot.",
        "There is a lot of anger and frustration about {worry} at the moment.",
        "I feel {upset} and on edge most evenings.",
        "I was really hurt by something {relative} said, it still bothers me.",
    ),
    "positive": (
        "I feel really {glad} {time}, things are going well.",
        "I am grateful for {relative}, we laughed a lot {day}.",
        "It has been a lovely time, I feel {glad} and relaxed.",
        "I am excited to {plan}, it makes me smile just thinking about it.",
        "I am proud of myself {time}, and I feel {glad} most days.",
        "{day} was wonderful, {event}, and I felt so {glad}.",
    ),
    "sleep": (
        "I lie awake until {late} most nights, my mind just will not switch off.",
        "I wake up at {early} in the morning and cannot get back to sleep.",
        "I barely sleep, maybe {few} hours a night, and I am exhausted all day.",
        "I have been sleeping far too much, twelve hours or more, and still feel tired.",
        "It takes me hours to fall asleep, and then I wake up again and again.",
        "My sleep is terrible, I keep waking up during the night and feel drained.",
        "I nap in the afternoon because I cannot sleep at night anymore.",
    ),
}

_SLOT = re.compile(r"\{(\w+)\}")


def fill(template: str, rng: np.random.Generator) -> str:
    """``template`` with every ``{slot}`` replaced by a random filler (recursively), first letter capital.

    Raises:
        KeyError: for a slot missing from :data:`SLOTS` (a bug in the bank, caught by the tests).
    """
    text = template
    for _ in range(4):  # fillers may contain slots; four levels is plenty
        if "{" not in text:
            break
        text = _SLOT.sub(lambda m: SLOTS[m.group(1)][int(rng.integers(len(SLOTS[m.group(1)])))], text)
    return text[0].upper() + text[1:]


def pick(bank: tuple[str, ...], rng: np.random.Generator, used: set[str] | None = None) -> str:
    """A filled sentence from ``bank``; templates in ``used`` are avoided while others remain, then added.

    Passing one ``used`` set per interview keeps a speaker from repeating a sentence pattern.
    """
    fresh = [t for t in bank if used is None or t not in used] or list(bank)
    template = fresh[int(rng.integers(len(fresh)))]
    if used is not None:
        used.add(template)
    return fill(template, rng)
