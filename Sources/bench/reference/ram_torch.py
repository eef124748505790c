#!/usr/bin/env python3
"""A PyTorch reference for Sources/bench/RAMTraining.swift: one RAM training step, timed.

The model and step of ram_jax.py (and so of Models/RecurrentAttention, Mnih et al. 2014),
written again in PyTorch eager mode on the CPU, so our speed can be checked against the
framework most RAM implementations use. Optional: compare_ram.sh runs it when torch is
installed; it is never a dependency of the Swift package.

    sensor    k square patches around l in [-1, 1]^2, the first g wide, each next twice as
              wide, average-pooled to g x g, pixels outside the image read as zero;
              window origin = round_half_away((l + 1) / 2 * size - patch / 2)
    glimpse   g_t = ReLU(Lin(ReLU(Lin(rho))) + Lin(ReLU(Lin(l_t))))      128 + 128 -> 256
    core      h_t = ReLU(W_ih g_t + b_ih + W_hh h_{t-1} + b_hh)         256, nn.RNNCell(relu)
    location  l_{t+1} ~ N(Lin(sg(h_t)), 0.17^2); the sensor sees it clamped to [-1, 1]
    baseline  b_t = Lin(sg(h_t))
    action    logits = Lin(h_T) after the 6th glimpse (first glimpse at the centre)
    loss      CE + mean_t MSE(b_t, R) - mean_b sum_t (R - sg(b_t)) * log p(l_{t+1})
    update    torch.optim.Adam, lr 3e-4, betas (0.9, 0.999), eps 1e-8 (ram_jax.py's Adam is
              written to match it); fused on the CPU by default (--adam)

One timed step is what ram_jax.py's jitted function does: the location noise drawn, the
sensor's preparation (once per step) and 6 glimpses, forward, loss, backward and the Adam
update, in eager mode (no torch.compile). float32.

    pip install -r Sources/bench/reference/requirements.txt
    python3 Sources/bench/reference/ram_torch.py [--steps 50] [--threads 2] [--sensor box|window]
    python3 Sources/bench/reference/ram_torch.py --check-sensor     # vs a loop transcription of ours
    python3 Sources/bench/reference/ram_torch.py --check-learning   # 50 steps: cross-entropy falls
    python3 Sources/bench/reference/ram_torch.py --check-jax        # the same step as ram_jax.py's

Threads: torch.set_num_threads(--threads), PyTorch's intra-op pool (its matrix products and
element-wise kernels). That pool is OpenMP's, and every parallel op waits for all its threads:
on a machine whose cores are busy with other work, one descheduled thread can stretch a step
many times over (seen here: 2 threads 20-100x slower than 1 at some batches), so time it on a
quiet machine.
"""
import argparse
import math
import os
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

import ram_reference as reference
from ram_reference import (BATCHES, BETA1, BETA2, CLASSES, CONFIGS, CORE_SIZE, EPSILON, GLIMPSE_HIDDEN,
                           GLIMPSE_SIZE, GLIMPSES, LEARNING_RATE, LOCATION_HIDDEN, LOCATION_SD)
# log N(x; mean, sd^2) = -((x - mean) / sd)^2 / 2 - LOG_NORMALISER, per coordinate.
LOG_NORMALISER = math.log(LOCATION_SD) + 0.5 * math.log(2 * math.pi)


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=50, help="timed steps per config (median reported)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed steps after the first")
    parser.add_argument("--threads", type=int, default=2, help="PyTorch intra-op threads")
    parser.add_argument("--check-learning", action="store_true",
                        help="instead of timing: train 50 steps of MNIST batch 32 on a fixed batch and print the loss")
    parser.add_argument("--sensor", choices=("box", "window"), default="box",
                        help="glimpse extraction: box-filter once per step (default) or gather whole windows")
    parser.add_argument("--adam", choices=("fused", "foreach", "loop"), default="fused",
                        help="torch.optim.Adam's implementation: fused (default), foreach, or one tensor at a time")
    parser.add_argument("--check-sensor", action="store_true",
                        help="instead of timing: compare the sensor with a loop transcription of GlimpseSensor.extract")
    parser.add_argument("--check-jax", action="store_true",
                        help="instead of timing: run ram_jax.py's step (needs jax) and this one from the same "
                             "parameters, images and noise, and compare losses, gradients and parameters")
    return parser.parse_args()


# MARK: The model

class RecurrentAttention(nn.Module):
    """RAM's networks. nn.Linear's weight and bias are uniform in +-1/sqrt(fan_in) and
    nn.RNNCell's in +-1/sqrt(hidden), the initialisation of ours and of ram_jax.py."""

    def __init__(self, patch, scales):
        super().__init__()
        self.glimpse_image = nn.Linear(scales * patch * patch, GLIMPSE_HIDDEN)
        self.glimpse_location = nn.Linear(2, LOCATION_HIDDEN)
        self.glimpse_what = nn.Linear(GLIMPSE_HIDDEN, GLIMPSE_SIZE)
        self.glimpse_where = nn.Linear(LOCATION_HIDDEN, GLIMPSE_SIZE)
        self.core = nn.RNNCell(GLIMPSE_SIZE, CORE_SIZE, nonlinearity="relu")
        self.location = nn.Linear(CORE_SIZE, 2)
        self.baseline = nn.Linear(CORE_SIZE, 1)
        self.action = nn.Linear(CORE_SIZE, CLASSES)

    def forward(self, prepared, sensor, labels, noise):
        """The hybrid loss of one episode per image; noise [T - 1, B, 2] is N(0, 1)."""
        batch = labels.shape[0]
        h = torch.zeros(batch, CORE_SIZE)
        where = torch.zeros(batch, 2)  # the first glimpse looks at the centre
        baselines, log_probs = [], []
        for t in range(GLIMPSES):
            rho = sensor(prepared, where)  # no gradient: neither the images nor `where` need one
            what = self.glimpse_what(F.relu(self.glimpse_image(rho)))
            where_ = self.glimpse_where(F.relu(self.glimpse_location(where)))
            g = F.relu(what + where_)
            h = self.core(g, h)
            if t == GLIMPSES - 1:
                break  # a location chosen after the last glimpse is never used
            policy_input = h.detach()
            baselines.append(self.baseline(policy_input)[:, 0])
            mean = self.location(policy_input)
            sample = (mean + LOCATION_SD * noise[t]).detach()  # an action: no gradient through it
            # log N(sample; mean, sd^2), summed over (x, y), on the raw (unclamped) sample.
            log_probs.append((-0.5 * ((sample - mean) / LOCATION_SD).square() - LOG_NORMALISER).sum(dim=1))
            where = sample.clamp(-1.0, 1.0)  # only what the sensor sees is clamped
        logits = self.action(h)
        cross_entropy = F.cross_entropy(logits, labels)
        reward = (logits.argmax(dim=1) == labels).float()  # no gradient: argmax has none
        b = torch.stack(baselines)  # [T - 1, B]
        lp = torch.stack(log_probs)  # [T - 1, B]
        baseline_loss = (b - reward).square().mean()  # mean over steps of each step's MSE
        reinforce = -((reward - b.detach()) * lp).sum(dim=0).mean()
        loss = cross_entropy + baseline_loss + reinforce
        return loss, (cross_entropy.detach(), baseline_loss.detach(), reward.mean())


def parameter_count(model):
    return sum(p.numel() for p in model.parameters())


# MARK: Glimpse sensor

def round_half_away(v):
    """Rounding to nearest, ties away from zero (Swift's .toNearestOrAwayFromZero)."""
    return torch.sign(v) * torch.floor(torch.abs(v) + 0.5)


def make_sensor(size, patch, scales, method="box"):
    """Returns (prepare, glimpse): prepare(images) once per step (the images do not change
    between glimpses), then glimpse(prepared, l) -> [B, k g^2] for each glimpse; as
    ram_jax.py's make_sensor.

    method "box" (default): prepare pads the batch and box-filters it once per scale (the mean
    of every f x f block, f = 2^scale: avg_pool2d with stride 1); a glimpse then gathers just
    the g x g block means it needs (at scale 0, its g x g window). "window": prepare only pads;
    a glimpse gathers each scale's whole window and averages it, as our sensor does. Both give
    the same values (summation order aside). Eager PyTorch has no batched dynamic slice, so
    both gather with index tensors.
    """
    largest = patch << (scales - 1)
    # Window origins lie in [-ceil(S/2), size - S/2 + 1]: this margin keeps every window
    # inside the padded image, so no index needs clamping.
    margin = largest // 2 + 1

    def pad(images):  # [B, H, W] -> [B, H + 2m, W + 2m]
        return F.pad(images, (margin, margin, margin, margin))

    def origins(loc, side):  # loc [B, 2] = (x, y) -> (row, column) in the padded image
        centre = (loc + 1.0) / 2.0 * float(size)  # pixels, same float32 order as ours
        origin = round_half_away(centre - side / 2.0).long() + margin
        return origin[:, 1], origin[:, 0]  # rows from y, columns from x

    def gather(image, row, column, count, stride):
        """image[b, row_b + i * stride, column_b + j * stride] for i, j < count: [B, count, count]."""
        offsets = torch.arange(count) * stride
        rows, columns = row[:, None] + offsets, column[:, None] + offsets  # [B, count]
        batch = torch.arange(image.shape[0])[:, None, None]
        return image[batch, rows[:, :, None], columns[:, None, :]]

    if method == "window":
        def glimpse_windows(padded, loc):
            batch = loc.shape[0]
            patches = []
            for scale in range(scales):
                side, factor = patch << scale, 1 << scale
                row, column = origins(loc, side)
                window = gather(padded, row, column, side, 1)
                pooled = window.reshape(batch, patch, factor, patch, factor).sum(dim=(2, 4)) * (1.0 / (factor * factor))
                patches.append(pooled.reshape(batch, -1))
            return torch.cat(patches, dim=1)

        return pad, glimpse_windows

    if method != "box":
        raise ValueError(f"unknown sensor method {method!r}")

    def prepare(images):
        padded = pad(images)
        boxes = [padded]
        for scale in range(1, scales):  # the f x f block mean at every offset
            factor = 1 << scale
            boxes.append(F.avg_pool2d(padded[:, None], factor, stride=1)[:, 0])
        return boxes

    def glimpse(boxes, loc):  # loc [B, 2]
        batch = loc.shape[0]
        patches = []
        for scale, box in enumerate(boxes):
            row, column = origins(loc, patch << scale)
            patches.append(gather(box, row, column, patch, 1 << scale).reshape(batch, -1))
        return torch.cat(patches, dim=1)

    return prepare, glimpse


# MARK: The training step

ADAM_IMPLEMENTATIONS = {"fused": {"fused": True}, "foreach": {"foreach": True}, "loop": {"foreach": False}}


def make_train_step(size, patch, scales, sensor="box", adam="fused", seed=1):
    """Returns (model, train_step): train_step(images, labels) -> (loss, stats) draws the step's
    location noise, runs the episode and its hybrid loss, the backward pass and Adam's update."""
    torch.manual_seed(seed)  # nn.Linear and nn.RNNCell draw from the global generator
    model = RecurrentAttention(patch, scales)
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, betas=(BETA1, BETA2), eps=EPSILON,
                                 **ADAM_IMPLEMENTATIONS[adam])
    prepare, glimpse = make_sensor(size, patch, scales, sensor)
    generator = torch.Generator().manual_seed(3)

    def train_step(images, labels):
        noise = torch.randn(GLIMPSES - 1, images.shape[0], 2, generator=generator)
        optimizer.zero_grad(set_to_none=True)
        loss, stats = model(prepare(images), glimpse, labels, noise)
        loss.backward()
        optimizer.step()
        return loss.detach(), stats

    return model, train_step


def random_batch(size, batch, seed=2):
    """Uniform images in [0, 1] and labels b % 10, as our bench."""
    images = torch.rand(batch, size, size, generator=torch.Generator().manual_seed(seed))
    labels = torch.arange(batch) % CLASSES
    return images, labels


def time_config(size, patch, scales, batch, steps, warmup, sensor, adam):
    """The median seconds of `steps` steps after `warmup`, and the first step's seconds (eager
    mode compiles nothing; the first step pays for first-touch allocations and kernel set-up)."""
    _, train_step = make_train_step(size, patch, scales, sensor, adam)
    images, labels = random_batch(size, batch)
    first_start = time.perf_counter()
    loss, _ = train_step(images, labels)
    first_seconds = time.perf_counter() - first_start
    times = []
    for i in range(warmup + steps):
        t0 = time.perf_counter()
        loss, _ = train_step(images, labels)  # eager on the CPU: done when it returns
        if i >= warmup:
            times.append(time.perf_counter() - t0)
    if not math.isfinite(loss.item()):
        sys.exit(f"ram_torch.py: non-finite loss {loss.item()}")
    return statistics.median(times), first_seconds


def check_learning(sensor, adam, steps=50, batch=32):
    """Trains MNIST-sized RAM, at the bench's learning rate, on one fixed batch whose centre
    brightness gives the label (noise elsewhere): cross-entropy should fall and the reward rise
    within 50 steps, as ram_jax.py's check. (The REINFORCE surrogate's value means nothing,
    only its gradient; the baseline's error may grow while the reward it chases moves.)"""
    name, size, patch, scales = CONFIGS[0]
    _, train_step = make_train_step(size, patch, scales, sensor, adam)
    images, labels = random_batch(size, batch)
    brightness = (labels.float() + 1) / CLASSES
    images[:, size // 2 - 4:size // 2 + 4, size // 2 - 4:size // 2 + 4] = brightness[:, None, None]
    history = []
    for i in range(steps):
        loss, (ce, baseline_loss, reward) = train_step(images, labels)
        history.append((ce.item(), baseline_loss.item(), reward.item()))
        if i % 10 == 0 or i == steps - 1:
            print(f"step {i:3d}  loss {loss.item():8.4f}  cross-entropy {ce.item():7.4f}  "
                  f"baseline MSE {baseline_loss.item():7.4f}  reward {reward.item():5.2f}")
    reference.report_learning(history, "ram_torch.py")


def check_sensor():
    def glimpse(method, size, patch, scales, images, locations):
        prepare, sensor = make_sensor(size, patch, scales, method)
        return sensor(prepare(torch.from_numpy(images)), torch.from_numpy(locations)).numpy()

    reference.check_sensor(glimpse, "ram_torch.py")


def check_jax(sensor, adam, steps=5, batch=32):
    """Runs ram_jax.py's jitted step and this one side by side for `steps` steps per config,
    from JAX's initial parameters, on the same images and labels, with the location noise JAX
    draws (its step splits its key and draws N(0, 1) [T - 1, B, 2] from the half). Compares
    the losses, the first step's gradients (JAX's first Adam moment is (1 - beta1) g) and
    the parameters after the last step."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import jax
    import ram_jax
    ram_jax.args.sensor = sensor
    print(f"against jax {jax.__version__} (ram_jax.py), sensor {sensor}, {steps} steps of batch {batch}")
    failed = False
    for name, size, patch, scales in CONFIGS:
        jax_step = ram_jax.make_train_step(size, patch, scales)
        state = ram_jax.initial_state(patch, scales)
        initial = jax.tree.map(np.array, state[0])  # before the step donates its buffers
        model = RecurrentAttention(patch, scales)
        pairs = {key: getattr(model, key) for key in ("glimpse_image", "glimpse_location", "glimpse_what",
                                                       "glimpse_where", "location", "baseline", "action")}
        ours = {key: {"w": layer.weight, "b": layer.bias} for key, layer in pairs.items()}
        ours["core_ih"] = {"w": model.core.weight_ih, "b": model.core.bias_ih}
        ours["core_hh"] = {"w": model.core.weight_hh, "b": model.core.bias_hh}
        with torch.no_grad():
            for key, layer in ours.items():
                for part, tensor in layer.items():
                    tensor.copy_(torch.from_numpy(initial[key][part]))
        optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, betas=(BETA1, BETA2), eps=EPSILON,
                                     **ADAM_IMPLEMENTATIONS[adam])
        prepare, glimpse = make_sensor(size, patch, scales, sensor)
        images, labels = ram_jax.random_batch(size, batch)
        torch_images, torch_labels = torch.from_numpy(np.array(images)), torch.from_numpy(np.array(labels)).long()
        key = jax.random.PRNGKey(3)
        worst_loss = worst_gradient = 0.0
        for step in range(steps):
            noise = jax.random.normal(jax.random.split(key)[1], (GLIMPSES - 1, batch, 2), np.float32)
            state, key, jax_loss, _ = jax_step(state, images, labels, key)
            optimizer.zero_grad(set_to_none=True)
            loss, _ = model(prepare(torch_images), glimpse, torch_labels, torch.from_numpy(np.array(noise)))
            loss.backward()
            if step == 0:
                moments = jax.tree.map(np.array, state[1])
                for key_, layer in ours.items():
                    for part, tensor in layer.items():
                        g = moments[key_][part] / (1 - BETA1)
                        scale = max(float(np.abs(g).max()), 1e-30)
                        worst_gradient = max(worst_gradient, float(np.abs(g - tensor.grad.numpy()).max()) / scale)
            optimizer.step()
            worst_loss = max(worst_loss, abs(float(jax_loss) - loss.item()))
        final = jax.tree.map(np.array, state[0])
        worst_parameter = max(float(np.abs(final[key][part] - tensor.detach().numpy()).max())
                              for key, layer in ours.items() for part, tensor in layer.items())
        print(f"{name}: parameters {parameter_count(model):,} (JAX "
              f"{sum(leaf.size for leaf in jax.tree.leaves(initial)):,}); max |loss difference| {worst_loss:.1e}, "
              f"first gradients' max |difference| / max |g| {worst_gradient:.1e}, parameters after {steps} steps "
              f"max |difference| {worst_parameter:.1e}")
        # float32 summation order aside, the two are one computation; Adam's first steps move a
        # parameter by about lr = 3e-4 whatever its gradient's size, so 1e-4 is a loose bound.
        failed |= not (worst_loss < 1e-5 and worst_gradient < 1e-4 and worst_parameter < 1e-4)
    if failed:
        sys.exit("ram_torch.py: the PyTorch step differs from ram_jax.py's")


def main():
    args = parse_arguments()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, CPU, {torch.get_num_threads()} threads, sensor {args.sensor}, "
          f"Adam {args.adam}, eager")
    print("parameters: " + "; ".join(f"{name} {parameter_count(RecurrentAttention(patch, scales)):,}"
                                     for name, _, patch, scales in CONFIGS))
    if args.check_sensor:
        check_sensor()
        return
    if args.check_learning:
        check_learning(args.sensor, args.adam)
        return
    if args.check_jax:
        check_jax(args.sensor, args.adam)
        return
    print("\nRAM training step, PyTorch reference (6 glimpses, glimpse net 128/128 -> 256, ReLU core 256, Adam, "
          "float32, eager)")
    print("config                               batch   total ms   steps/s  samples/s    first s")
    for name, size, patch, scales in CONFIGS:
        for batch in BATCHES:
            seconds, first_seconds = time_config(size, patch, scales, batch, args.steps, args.warmup,
                                                 args.sensor, args.adam)
            print(f"{name:<36} {batch:5d} {seconds * 1000:10.2f}  {int(1 / seconds):8d}  "
                  f"{int(batch / seconds):9d}  {first_seconds:9.3f}", flush=True)


if __name__ == "__main__":
    main()
