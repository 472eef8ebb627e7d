"""Helpers for notebook 07's practical points: a loss under ``tf.distribute``.

Used in: 07_losses_in_keras.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

__all__ = ["DISTRIBUTED_SCRIPT", "distributed_compute_loss"]

#: The program :func:`distributed_compute_loss` runs in a fresh interpreter: TensorFlow can
#: split the CPU into two logical devices only before it starts, so a notebook that has
#: already used TensorFlow cannot do it in its own kernel.
DISTRIBUTED_SCRIPT = """
import json
import numpy as np
import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    cpu, [tf.config.LogicalDeviceConfiguration()] * 2
)
import keras


def squared_error(y, y_pred):
    return keras.ops.mean(keras.ops.square(y_pred - y))


class ByHand(keras.Model):  # reduces by hand: no scaling for the replicas
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None,
                     training=True):
        return squared_error(y, y_pred)


class Divided(ByHand):  # the same, divided by the number of replicas
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None,
                     training=True):
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        return squared_error(y, y_pred) / replicas


class LossObject(keras.Model):  # a Loss object's reduction scales by itself
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None,
                     training=True):
        return keras.losses.MeanSquaredError()(y, y_pred)


rng = np.random.default_rng(0)
x = rng.normal(size=(64, 3)).astype("float32")
y = (x @ np.array([[1.0], [-2.0], [0.5]]) + 1.0).astype("float32")
strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
result = {"replicas": strategy.num_replicas_in_sync}
for name, model_class in [
    ("built-in loss", keras.Model),
    ("compute_loss, reduced by hand", ByHand),
    ("... divided by the replicas", Divided),
    ("... with a Loss object", LossObject),
]:
    with strategy.scope():
        inputs = keras.Input((3,))
        dense = keras.layers.Dense(1, kernel_initializer="zeros")
        model = model_class(inputs, dense(inputs))
        model.compile(
            optimizer=keras.optimizers.SGD(0.1),
            loss="mean_squared_error" if model_class is keras.Model else None,
        )
    history = model.fit(x, y, batch_size=64, epochs=1, verbose=0, shuffle=False)
    result[name] = {
        "logged": float(history.history["loss"][0]),
        "bias_step": float(dense.bias.numpy()[0]),
    }
print(json.dumps(result))
"""


def distributed_compute_loss(timeout: float = 300.0) -> dict[str, Any]:
    """One SGD step of a linear model under ``MirroredStrategy`` on two logical CPUs.

    Runs :data:`DISTRIBUTED_SCRIPT` in a fresh interpreter and returns, for the built-in
    loss and three ``compute_loss`` overrides, the logged loss and the bias after one step
    from 0 (the size of the update). Keras divides a built-in reduction by the number of
    replicas (``scale_loss_for_distribution``) because the replicas' gradients are summed;
    an override that reduces by hand skips that, so it logs and steps twice as much.
    Taught in: 07 §6.
    """
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, (int, float))
        or timeout <= 0
    ):
        raise ValueError(
            f"timeout must be a positive number of seconds, got {timeout!r}."
        )
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": "-1"}
    completed = subprocess.run(
        [sys.executable, "-c", DISTRIBUTED_SCRIPT],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )
    lines = completed.stdout.strip().splitlines()
    if completed.returncode != 0 or not lines:
        raise RuntimeError(
            "the distributed run failed:\n" + completed.stderr.strip()[-2000:]
        )
    result: dict[str, Any] = json.loads(lines[-1])
    return result
