#!/usr/bin/env python3
"""A JAX reference for Sources/bench/RAMTraining.swift: one RAM training step, timed.

The same model and step as Models/RecurrentAttention (Mnih et al. 2014), written
independently in JAX so our speed can be checked against an XLA-compiled implementation:

    sensor    k square patches around l in [-1, 1]^2, the first g wide, each next twice as
              wide, average-pooled to g x g, pixels outside the image read as zero;
              window origin = round_half_away((l + 1) / 2 * size - patch / 2)
    glimpse   g_t = ReLU(Lin(ReLU(Lin(rho))) + Lin(ReLU(Lin(l_t))))      128 + 128 -> 256
    core      h_t = ReLU(W_ih g_t + b_ih + W_hh h_{t-1} + b_hh)         256, ReLU
    location  l_{t+1} ~ N(Lin(sg(h_t)), 0.17^2); the sensor sees it clamped to [-1, 1]
    baseline  b_t = Lin(sg(h_t))
    action    logits = Lin(h_T) after the 6th glimpse (first glimpse at the centre)
    loss      CE + mean_t MSE(b_t, R) - mean_b sum_t (R - sg(b_t)) * log p(l_{t+1})
    update    Adam, lr 3e-4, betas (0.9, 0.999), eps 1e-8 outside the root (as PyTorch)

Forward (sensor included), backward and the Adam update are one jax.jit-compiled function;
its parameters and moments are donated, so XLA may update them in place. float32.

    pip install -r Sources/bench/reference/requirements.txt
    python3 Sources/bench/reference/ram_jax.py [--steps 50] [--threads 2] [--sensor box|window]
    python3 Sources/bench/reference/ram_jax.py --check-sensor     # vs a loop transcription of ours
    python3 Sources/bench/reference/ram_jax.py --check-learning   # 50 steps: cross-entropy falls

Threads: XLA's CPU backend is limited with
XLA_FLAGS="--xla_cpu_multi_thread_eigen=true intra_op_parallelism_threads=N" (set here from
--threads before jax is imported, unless XLA_FLAGS is already set).
"""
import argparse
import math
import os
import statistics
import sys
import time

import ram_reference as reference
from ram_reference import (BATCHES, BETA1, BETA2, CLASSES, CONFIGS, CORE_SIZE, EPSILON, GLIMPSE_HIDDEN,
                           GLIMPSE_SIZE, GLIMPSES, LEARNING_RATE, LOCATION_HIDDEN, LOCATION_SD)


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=50, help="timed steps per config (median reported)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed steps after compilation")
    parser.add_argument("--threads", type=int, default=2, help="XLA CPU intra-op threads")
    parser.add_argument("--check-learning", action="store_true",
                        help="instead of timing: train 50 steps of MNIST batch 32 on a fixed batch and print the loss")
    parser.add_argument("--sensor", choices=("box", "window"), default="box",
                        help="glimpse extraction: box-filter once per step (default) or slice whole windows")
    parser.add_argument("--check-sensor", action="store_true",
                        help="instead of timing: compare the sensor with a loop transcription of GlimpseSensor.extract")
    return parser.parse_args(argv)


# Imported (by ram_torch.py --check-jax), the defaults: the importer sets what it needs.
args = parse_arguments(None if __name__ == "__main__" else [])
os.environ.setdefault(
    "XLA_FLAGS", f"--xla_cpu_multi_thread_eigen=true intra_op_parallelism_threads={args.threads}")

import jax  # noqa: E402  (after XLA_FLAGS)
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

jax.config.update("jax_default_matmul_precision", "float32")


# MARK: Parameters

def linear_init(key, inputs, outputs, fan_in=None):
    """Weight [outputs, inputs] and bias [outputs], uniform in +-1/sqrt(fan_in), as our Linear."""
    bound = 1.0 / np.sqrt(fan_in or inputs)
    kw, kb = jax.random.split(key)
    return {"w": jax.random.uniform(kw, (outputs, inputs), jnp.float32, -bound, bound),
            "b": jax.random.uniform(kb, (outputs,), jnp.float32, -bound, bound)}


def init_params(key, patch, scales):
    features = scales * patch * patch
    keys = jax.random.split(key, 9)
    return {
        "glimpse_image": linear_init(keys[0], features, GLIMPSE_HIDDEN),
        "glimpse_location": linear_init(keys[1], 2, LOCATION_HIDDEN),
        "glimpse_what": linear_init(keys[2], GLIMPSE_HIDDEN, GLIMPSE_SIZE),
        "glimpse_where": linear_init(keys[3], LOCATION_HIDDEN, GLIMPSE_SIZE),
        # The RNN cell's pair, both bounded by 1/sqrt(hidden) as our RNNCell (and PyTorch's).
        "core_ih": linear_init(keys[4], GLIMPSE_SIZE, CORE_SIZE, fan_in=CORE_SIZE),
        "core_hh": linear_init(keys[5], CORE_SIZE, CORE_SIZE, fan_in=CORE_SIZE),
        "location": linear_init(keys[6], CORE_SIZE, 2),
        "baseline": linear_init(keys[7], CORE_SIZE, 1),
        "action": linear_init(keys[8], CORE_SIZE, CLASSES),
    }


def parameter_count(patch, scales):
    return sum(leaf.size for leaf in jax.tree.leaves(init_params(jax.random.PRNGKey(0), patch, scales)))


def linear(p, x):
    return x @ p["w"].T + p["b"]


# MARK: Glimpse sensor

def round_half_away(v):
    """Rounding to nearest, ties away from zero (Swift's .toNearestOrAwayFromZero)."""
    return jnp.sign(v) * jnp.floor(jnp.abs(v) + 0.5)


def make_sensor(size, patch, scales, method="box"):
    """Returns (prepare, glimpse): prepare(images) once per step (the images do not change
    between glimpses), then glimpse(prepared, l) -> [B, k g^2] for each glimpse.

    method "box" (default): prepare pads the batch and box-filters it once per scale (the
    mean of every f x f block, f = 2^scale); a glimpse then gathers just the g x g block means
    it needs (at scale 0, its g x g window). "window": prepare only pads; a glimpse slices each scale's whole window and
    averages it, as our sensor does. Both give the same values (summation order aside);
    "box" is the faster under XLA on CPU for the 3-scale config, so the reference uses it.
    """
    largest = patch << (scales - 1)
    # Window origins lie in [-ceil(S/2), size - S/2 + 1]: this margin keeps every window
    # inside the padded image, so slices never clamp (dynamic_slice would shift the window).
    margin = largest // 2 + 1

    def pad(images):
        return jnp.pad(images, ((0, 0), (margin, margin), (margin, margin)))

    def origins(loc, side):  # loc [..., 2] = (x, y) -> (row, column) in the padded image
        centre = (loc + 1.0) / 2.0 * jnp.float32(size)  # pixels, same float32 order as ours
        origin = round_half_away(centre - jnp.float32(side) / 2.0).astype(jnp.int32) + margin
        return origin[..., 1], origin[..., 0]  # rows from y, columns from x

    if method == "window":
        def one(padded, loc):  # padded [H + 2m, W + 2m], loc [2]
            patches = []
            for scale in range(scales):
                side, factor = patch << scale, 1 << scale
                row, column = origins(loc, side)
                window = jax.lax.dynamic_slice(padded, (row, column), (side, side))
                pooled = window.reshape(patch, factor, patch, factor).sum(axis=(1, 3)) * (1.0 / (factor * factor))
                patches.append(pooled.reshape(-1))
            return jnp.concatenate(patches)

        return pad, jax.vmap(one)

    if method != "box":
        raise ValueError(f"unknown sensor method {method!r}")

    def prepare(images):
        padded = pad(images)
        boxes = []
        for scale in range(scales):
            factor = 1 << scale
            box = padded
            if factor > 1:  # the f x f block mean at every offset: f shifted rows, then f shifted columns
                rows, columns = padded.shape[1] - factor + 1, padded.shape[2] - factor + 1
                box = sum(padded[:, k:k + rows, :] for k in range(factor))
                box = sum(box[:, :, k:k + columns] for k in range(factor)) * (1.0 / (factor * factor))
            boxes.append(box)
        return boxes

    def glimpse(boxes, loc):  # loc [B, 2]
        batch = loc.shape[0]
        steps = jnp.arange(patch, dtype=jnp.int32)
        patches = []
        for scale, box in enumerate(boxes):
            factor = 1 << scale
            row, column = origins(loc, patch << scale)
            if factor == 1:  # the window itself: a contiguous slice is cheaper than a gather
                window = jax.vmap(lambda b, r, c: jax.lax.dynamic_slice(b, (r, c), (patch, patch)))(box, row, column)
                patches.append(window.reshape(batch, -1))
                continue
            rows = row[:, None] + steps * factor  # [B, g]: the top of each block
            columns = column[:, None] + steps * factor
            pooled = box[jnp.arange(batch)[:, None, None], rows[:, :, None], columns[:, None, :]]
            patches.append(pooled.reshape(batch, -1))
        return jnp.concatenate(patches, axis=1)

    return prepare, glimpse


# MARK: The training step

def make_train_step(size, patch, scales):
    prepare, sensor = make_sensor(size, patch, scales, args.sensor)

    def loss_fn(params, images, labels, noise):
        batch = images.shape[0]
        prepared = prepare(images)
        h = jnp.zeros((batch, CORE_SIZE), jnp.float32)
        where = jnp.zeros((batch, 2), jnp.float32)  # the first glimpse looks at the centre
        baselines, log_probs = [], []
        for t in range(GLIMPSES):  # unrolled: 6 steps
            rho = sensor(prepared, where)
            what = linear(params["glimpse_what"], jax.nn.relu(linear(params["glimpse_image"], rho)))
            where_ = linear(params["glimpse_where"], jax.nn.relu(linear(params["glimpse_location"], where)))
            g = jax.nn.relu(what + where_)
            h = jax.nn.relu(linear(params["core_ih"], g) + linear(params["core_hh"], h))
            if t == GLIMPSES - 1:
                break  # a location chosen after the last glimpse is never used
            policy_input = jax.lax.stop_gradient(h)
            baselines.append(linear(params["baseline"], policy_input)[:, 0])
            mean = linear(params["location"], policy_input)
            sample = jax.lax.stop_gradient(mean + LOCATION_SD * noise[t])  # an action: no gradient through it
            # log N(sample; mean, sd^2), summed over (x, y), on the raw (unclamped) sample.
            log_probs.append(jnp.sum(-0.5 * jnp.square((sample - mean) / LOCATION_SD)
                                     - jnp.log(LOCATION_SD) - 0.5 * jnp.log(2 * jnp.pi), axis=1))
            where = jnp.clip(sample, -1.0, 1.0)  # only what the sensor sees is clamped
        logits = linear(params["action"], h)
        log_softmax = jax.nn.log_softmax(logits)
        cross_entropy = -jnp.mean(jnp.take_along_axis(log_softmax, labels[:, None], axis=1))
        reward = jax.lax.stop_gradient((jnp.argmax(logits, axis=1) == labels).astype(jnp.float32))
        b = jnp.stack(baselines)  # [T - 1, B]
        lp = jnp.stack(log_probs)  # [T - 1, B]
        baseline_loss = jnp.mean(jnp.square(b - reward[None, :]))  # mean over steps of each step's MSE
        reinforce = -jnp.mean(jnp.sum((reward[None, :] - jax.lax.stop_gradient(b)) * lp, axis=0))
        loss = cross_entropy + baseline_loss + reinforce
        return loss, (cross_entropy, baseline_loss, jnp.mean(reward))

    def adam(params, grads, m, v, step):
        step = step + 1
        t = step.astype(jnp.float32)
        step_size = LEARNING_RATE / (1 - BETA1 ** t)
        inverse_root_correction = 1 / jnp.sqrt(1 - BETA2 ** t)
        m = jax.tree.map(lambda m, g: BETA1 * m + (1 - BETA1) * g, m, grads)
        v = jax.tree.map(lambda v, g: BETA2 * v + (1 - BETA2) * g * g, v, grads)
        params = jax.tree.map(lambda p, m, v: p - step_size * m / (jnp.sqrt(v) * inverse_root_correction + EPSILON),
                              params, m, v)
        return params, m, v, step

    def train_step(state, images, labels, key):
        params, m, v, step = state
        key, sub = jax.random.split(key)
        noise = jax.random.normal(sub, (GLIMPSES - 1, images.shape[0], 2), jnp.float32)
        (loss, stats), grads = jax.value_and_grad(loss_fn, has_aux=True)(params, images, labels, noise)
        params, m, v, step = adam(params, grads, m, v, step)
        return (params, m, v, step), key, loss, stats

    return jax.jit(train_step, donate_argnums=(0, 3))


def initial_state(patch, scales, seed=1):
    params = init_params(jax.random.PRNGKey(seed), patch, scales)
    zeros = jax.tree.map(jnp.zeros_like, params)
    return params, zeros, jax.tree.map(jnp.zeros_like, params), jnp.zeros((), jnp.int32)


def random_batch(size, batch, seed=2):
    """Uniform images in [0, 1] and labels b % 10, as our bench."""
    images = jax.random.uniform(jax.random.PRNGKey(seed), (batch, size, size), jnp.float32)
    labels = jnp.arange(batch, dtype=jnp.int32) % CLASSES
    return images, labels


def time_config(size, patch, scales, batch, steps, warmup):
    step_fn = make_train_step(size, patch, scales)
    state = initial_state(patch, scales)
    images, labels = random_batch(size, batch)
    key = jax.random.PRNGKey(3)
    compile_start = time.perf_counter()
    state, key, loss, _ = step_fn(state, images, labels, key)  # compiles
    jax.block_until_ready((state, loss))
    compile_seconds = time.perf_counter() - compile_start
    times = []
    for i in range(warmup + steps):
        t0 = time.perf_counter()
        state, key, loss, _ = step_fn(state, images, labels, key)
        jax.block_until_ready((state, loss))
        if i >= warmup:
            times.append(time.perf_counter() - t0)
    if not np.isfinite(float(loss)):
        sys.exit(f"ram_jax.py: non-finite loss {float(loss)}")
    return statistics.median(times), compile_seconds


def check_learning(steps=50, batch=32):
    """Trains MNIST-sized RAM, at the bench's learning rate, on one fixed batch whose centre
    brightness gives the label (noise elsewhere): cross-entropy should fall and the reward rise
    within 50 steps. (The REINFORCE surrogate's value means nothing, only its gradient; the
    baseline's error may grow while the reward it chases moves.)"""
    name, size, patch, scales = CONFIGS[0]
    step_fn = make_train_step(size, patch, scales)
    state = initial_state(patch, scales)
    images, labels = random_batch(size, batch)
    brightness = (labels.astype(jnp.float32) + 1) / CLASSES
    images = images.at[:, size // 2 - 4:size // 2 + 4, size // 2 - 4:size // 2 + 4].set(brightness[:, None, None])
    key = jax.random.PRNGKey(3)
    history = []
    for i in range(steps):
        state, key, loss, (ce, baseline_loss, reward) = step_fn(state, images, labels, key)
        history.append((float(ce), float(baseline_loss), float(reward)))
        if i % 10 == 0 or i == steps - 1:
            print(f"step {i:3d}  loss {float(loss):8.4f}  cross-entropy {float(ce):7.4f}  "
                  f"baseline MSE {float(baseline_loss):7.4f}  reward {float(reward):5.2f}")
    reference.report_learning(history, "ram_jax.py")


def check_sensor():
    def glimpse(method, size, patch, scales, images, locations):
        prepare, sensor = make_sensor(size, patch, scales, method)
        return np.asarray(jax.jit(lambda i, l: sensor(prepare(i), l))(images, locations))

    reference.check_sensor(glimpse, "ram_jax.py")


def main():
    print(f"jax {jax.__version__}, backend {jax.default_backend()}, sensor {args.sensor}, "
          f"XLA_FLAGS={os.environ.get('XLA_FLAGS')!r}")
    print("parameters: " + "; ".join(f"{name} {parameter_count(patch, scales):,}"
                                     for name, _, patch, scales in CONFIGS))
    if args.check_sensor:
        check_sensor()
        return
    if args.check_learning:
        check_learning()
        return
    print("\nRAM training step, JAX reference (6 glimpses, glimpse net 128/128 -> 256, ReLU core 256, Adam, float32)")
    print("config                               batch   total ms   steps/s  samples/s  compile s")
    for name, size, patch, scales in CONFIGS:
        for batch in BATCHES:
            seconds, compile_seconds = time_config(size, patch, scales, batch, args.steps, args.warmup)
            print(f"{name:<36} {batch:5d} {seconds * 1000:10.2f}  {int(1 / seconds):8d}  "
                  f"{int(batch / seconds):9d}  {compile_seconds:9.1f}", flush=True)


if __name__ == "__main__":
    main()
