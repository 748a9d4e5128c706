from __future__ import annotations

from hilbert_core.bench.cv import BenchCVConfig, bench_cv


def test_bench_cv_reports_both_runs_and_machine_rates():
    result = bench_cv(BenchCVConfig(documents=24, segments=4, audio_dim=8, text_dim=6, folds=3, epochs=1))
    for key in (
        "optimized",
        "plain",
        "speedup_vs_plain",
        "machine_fp32_matmul_gflops",
        "machine_bf16_matmul_gflops",
        "flops_per_step_per_model",
        "max_abs_diff_oof_proba",
        "optimized_vs_fp32_matmul_rate",
    ):
        assert key in result
    assert result["optimized"]["batched_folds"] and not result["plain"]["batched_folds"]
    assert result["flops_per_step_per_model"] > 0 and result["optimized"]["seconds"] > 0
