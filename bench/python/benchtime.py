"""Timing shared by the PyTorch reference scripts, the same procedure as Exemplar's BenchmarkTimer."""
import statistics
import time


def median_ms(fn, sync=lambda: None, warmup=1, repeats=3, iterations=1):
    """Median milliseconds per call of fn: warm-up calls, then `repeats` timed batches of `iterations` calls."""
    for _ in range(warmup):
        fn()
    sync()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(iterations):
            fn()
        sync()
        samples.append((time.perf_counter() - start) * 1000.0 / iterations)
    return statistics.median(samples)
