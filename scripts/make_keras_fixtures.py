#!/usr/bin/env python3
"""Generates Tests/ForecastNNTests/Fixtures/keras_*.json: Keras reference numerics for the parity tests.

Run by hand (not in CI), once, in a virtual environment with TensorFlow:
    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install tensorflow-cpu
    /tmp/venv/bin/python scripts/make_keras_fixtures.py

For each cell (LSTM, GRU reset_after=True) it builds the plain Keras seq2seq model
    Input(L, F) -> RNN(H) -> RepeatVector(horizon) -> RNN(H, return_sequences) -> TimeDistributed(Dense(1))
with Keras' default initialisers, records the weights, an input batch and the forward output, then takes
one Adam step (lr 1e-3, Keras defaults) on MSE against a fixed target and records the updated weights.
"""
import json, os, sys
import numpy as np
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf
import keras
from keras import layers

L, F, H, HORIZON, B = 6, 2, 8, 3, 4
OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "ForecastNNTests", "Fixtures")


def build(cell):
    rnn = layers.LSTM if cell == "lstm" else layers.GRU
    kw = {} if cell == "lstm" else {"reset_after": True}
    inp = keras.Input((L, F))
    enc = rnn(H, **kw)(inp)
    rep = layers.RepeatVector(HORIZON)(enc)
    dec = rnn(H, return_sequences=True, **kw)(rep)
    out = layers.TimeDistributed(layers.Dense(1))(dec)
    return keras.Model(inp, out)


def weights(model):
    names = ["encoder.0.kernel", "encoder.0.recurrent_kernel", "encoder.0.bias",
             "decoder.0.kernel", "decoder.0.recurrent_kernel", "decoder.0.bias",
             "dense.kernel", "dense.bias"]
    ws = model.get_weights()
    assert len(ws) == len(names), [w.shape for w in ws]
    return {n: {"shape": list(w.shape), "values": w.astype(np.float32).ravel().tolist()} for n, w in zip(names, ws)}


def main():
    os.makedirs(OUT, exist_ok=True)
    for cell in ["lstm", "gru"]:
        keras.utils.set_random_seed(1234)
        model = build(cell)
        rng = np.random.default_rng(7)
        x = rng.normal(size=(B, L, F)).astype(np.float32)
        y = rng.normal(size=(B, HORIZON, 1)).astype(np.float32)
        before = weights(model)
        pred = model(x, training=False).numpy()
        opt = keras.optimizers.Adam(learning_rate=1e-3)
        with tf.GradientTape() as tape:
            p = model(x, training=True)
            loss = tf.reduce_mean(tf.square(p - y))
        grads = tape.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables))
        fixture = {
            "keras_version": keras.__version__, "tensorflow_version": tf.__version__,
            "cell": cell, "lookback": L, "features": F, "hidden": H, "horizon": HORIZON, "batch": B,
            "decoder_start": "zeros",
            "weights": before,
            "x_batch_major": x.ravel().tolist(),
            "y_batch_major": y.ravel().tolist(),
            "prediction_batch_major": pred.ravel().tolist(),
            "loss": float(loss.numpy()),
            "weights_after_one_adam_step": weights(model),
        }
        path = os.path.join(OUT, f"keras_{cell}.json")
        with open(path, "w") as f:
            json.dump(fixture, f)
        print("wrote", path, "loss", float(loss.numpy()), file=sys.stderr)


if __name__ == "__main__":
    main()
