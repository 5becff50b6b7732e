#!/usr/bin/env python3
"""The reference seq2seq forecaster in PyTorch, run under the benchmark protocol.
    python torch_s2s.py --workload train|infer|latency --cell lstm|gru --threads N
Prints one JSON line in the format of `forecast bench --json`."""
import argparse, json, resource, statistics, time
import numpy as np
import torch
from common import L, H, B_TRAIN, B_INFER, HIDDEN, series, windows, flops_per_window


class S2S(torch.nn.Module):
    def __init__(self, cell):
        super().__init__()
        rnn = torch.nn.LSTM if cell == "lstm" else torch.nn.GRU
        self.enc = rnn(1, HIDDEN, batch_first=True)
        self.dec = rnn(HIDDEN, HIDDEN, batch_first=True)
        self.dense = torch.nn.Linear(HIDDEN, 1)

    def forward(self, x):
        out, _ = self.enc(x)
        rep = out[:, -1:, :].repeat(1, H, 1)   # RepeatVector; decoder state from zeros
        d, _ = self.dec(rep)
        return self.dense(d)


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--workload", default="train"); a.add_argument("--cell", default="lstm")
    a.add_argument("--threads", type=int, default=1); a.add_argument("--epochs", type=int, default=3)
    o = a.parse_args()
    torch.set_num_threads(o.threads)
    torch.manual_seed(1)
    X, Y = windows(series())
    X, Y = torch.from_numpy(X), torch.from_numpy(Y)
    m = S2S(o.cell)
    r = {"impl": "pytorch " + torch.__version__, "workload": o.workload, "cell": o.cell, "threads": o.threads}
    if o.workload == "train":
        opt = torch.optim.Adam(m.parameters(), lr=1e-3)
        n, timed, seen = len(X), 0.0, 0
        for epoch in range(o.epochs):
            perm = torch.randperm(n)
            t0 = time.perf_counter()
            for i in range(0, n, B_TRAIN):
                b = perm[i:i + B_TRAIN]
                opt.zero_grad()
                loss = torch.nn.functional.mse_loss(m(X[b]), Y[b])
                loss.backward()
                opt.step()
            if epoch > 0:
                timed += time.perf_counter() - t0; seen += n
        r["windows_per_second"] = seen / timed
        r["gflops"] = r["windows_per_second"] * 3 * flops_per_window(o.cell) / 1e9
    elif o.workload == "infer":
        times = []
        with torch.no_grad():
            for _ in range(5):
                t0 = time.perf_counter()
                for i in range(0, len(X), B_INFER):
                    m(X[i:i + B_INFER])
                times.append(time.perf_counter() - t0)
        r["windows_per_second"] = len(X) / statistics.median(times)
        r["gflops"] = r["windows_per_second"] * flops_per_window(o.cell) / 1e9
    else:
        x = X[:1]
        times = []
        with torch.no_grad():
            for i in range(1100):
                t0 = time.perf_counter(); m(x); times.append(time.perf_counter() - t0)
        r["latency_us"] = statistics.median(times[100:]) * 1e6
    r["peak_rss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps(r))


if __name__ == "__main__":
    main()
