"""Shared pieces of the reference benchmarks: the protocol's data and windows (shared/BENCHMARKS.md)."""
import numpy as np

L, H, B_TRAIN, B_INFER, HIDDEN = 48, 12, 32, 256, 64


def series(n=10_000, seed=2024):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    x = np.sin(2 * np.pi * t / 24) + 0.5 * np.sin(2 * np.pi * t / 168) + 0.1 * rng.normal(size=n)
    return ((x - x.mean()) / x.std()).astype(np.float32)


def windows(v):
    n = len(v) - L - H + 1
    idx = np.arange(n)[:, None]
    X = v[idx + np.arange(L)][:, :, None]          # (N, L, 1)
    Y = v[idx + L + np.arange(H)][:, :, None]      # (N, H, 1)
    return X, Y


def flops_per_window(cell, hidden=HIDDEN):
    g = (4 if cell == "lstm" else 3) * hidden
    return L * 2 * (1 + hidden) * g + H * 2 * (2 * hidden) * g + H * 2 * hidden
