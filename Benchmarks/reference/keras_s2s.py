#!/usr/bin/env python3
"""The reference seq2seq forecaster in Keras (TensorFlow CPU), run under the benchmark protocol.
    python keras_s2s.py --workload train|infer|latency --cell lstm|gru --threads N"""
import argparse, json, os, resource, statistics, time
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--workload", default="train"); a.add_argument("--cell", default="lstm")
    a.add_argument("--threads", type=int, default=1); a.add_argument("--epochs", type=int, default=3)
    o = a.parse_args()
    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(o.threads)
    tf.config.threading.set_inter_op_parallelism_threads(o.threads)
    import keras
    from keras import layers
    from common import L, H, B_TRAIN, B_INFER, HIDDEN, series, windows, flops_per_window
    keras.utils.set_random_seed(1)
    X, Y = windows(series())
    rnn = layers.LSTM if o.cell == "lstm" else layers.GRU
    m = keras.Sequential([keras.Input((L, 1)), rnn(HIDDEN), layers.RepeatVector(H),
                          rnn(HIDDEN, return_sequences=True), layers.TimeDistributed(layers.Dense(1))])
    r = {"impl": "keras " + keras.__version__ + " / tf " + tf.__version__, "workload": o.workload, "cell": o.cell, "threads": o.threads}
    if o.workload == "train":
        m.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
        times = []

        class T(keras.callbacks.Callback):
            def on_epoch_begin(self, e, logs=None): self.t0 = time.perf_counter()
            def on_epoch_end(self, e, logs=None): times.append(time.perf_counter() - self.t0)
        m.fit(X, Y, batch_size=B_TRAIN, epochs=o.epochs, shuffle=True, verbose=0, callbacks=[T()])
        r["windows_per_second"] = len(X) * (o.epochs - 1) / sum(times[1:])
        r["gflops"] = r["windows_per_second"] * 3 * flops_per_window(o.cell) / 1e9
    elif o.workload == "infer":
        times = []
        for _ in range(5):
            t0 = time.perf_counter(); m.predict(X, batch_size=B_INFER, verbose=0); times.append(time.perf_counter() - t0)
        r["windows_per_second"] = len(X) / statistics.median(times)
        r["gflops"] = r["windows_per_second"] * flops_per_window(o.cell) / 1e9
    else:
        x = X[:1]
        f = tf.function(lambda v: m(v, training=False))
        times = []
        for i in range(1100):
            t0 = time.perf_counter(); f(x); times.append(time.perf_counter() - t0)
        r["latency_us"] = statistics.median(times[100:]) * 1e6
    r["peak_rss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps(r))


if __name__ == "__main__":
    main()
