"""What ram_jax.py and ram_torch.py share, in numpy alone: the configurations and sizes of the
RAM step they both time, a loop-by-loop transcription of our glimpse sensor and the check of
their sensors against it (--check-sensor), and the report of --check-learning."""
import math
import sys

import numpy as np

CONFIGS = [("MNIST 28x28, 8x8, 1 scale", 28, 8, 1),
           ("translated 60x60, 12x12, 3 scales", 60, 12, 3)]
BATCHES = (20, 32, 128)
GLIMPSES = 6
GLIMPSE_HIDDEN = LOCATION_HIDDEN = 128
GLIMPSE_SIZE = CORE_SIZE = 256
CLASSES = 10
LOCATION_SD = 0.17
LEARNING_RATE, BETA1, BETA2, EPSILON = 3e-4, 0.9, 0.999, 1e-8


def away_from_zero(v):
    return int(math.copysign(math.floor(abs(v) + 0.5), v))


def sensor_loops(images, locations, patch, scales):
    """GlimpseSensor.extract as plain loops (float32 window arithmetic), for --check-sensor."""
    batch, height, width = images.shape
    out = np.zeros((batch, scales * patch * patch), np.float32)
    for b in range(batch):
        x, y = np.float32(locations[b, 0]), np.float32(locations[b, 1])
        for scale in range(scales):
            side, factor = patch << scale, 1 << scale
            cx = (x + np.float32(1)) / np.float32(2) * np.float32(width)
            cy = (y + np.float32(1)) / np.float32(2) * np.float32(height)
            # Rounded independently of round_half_away: Python's math on the float32 value.
            row = away_from_zero(float(cy - np.float32(side) / np.float32(2)))
            col = away_from_zero(float(cx - np.float32(side) / np.float32(2)))
            for i in range(patch):
                top = row + i * factor
                for j in range(patch):
                    left = col + j * factor
                    total = np.float32(0)  # clipped block, summed as the Swift loops do (no negative indices)
                    for r in range(max(top, 0), min(top + factor, height)):
                        for c in range(max(left, 0), min(left + factor, width)):
                            total += images[b, r, c]
                    out[b, scale * patch * patch + i * patch + j] = total * np.float32(1 / (factor * factor))
    return out


def check_sensor(glimpse, script):
    """Checks `glimpse(method, size, patch, scales, images, locations)` (numpy in and out) for
    both sensor methods against the loop transcription, on random windows plus the corners,
    the centre and rounding ties; exits when they differ."""
    rng = np.random.default_rng(0)
    worst = 0.0
    for _, size, patch, scales in CONFIGS:
        images = rng.uniform(0, 1, (16, size, size)).astype(np.float32)
        locations = rng.uniform(-1, 1, (16, 2)).astype(np.float32)
        # Corners, the centre, and ties: with size 28, x = -0.75 puts the 8-wide window at -0.5 (-> -1),
        # x = 0.75 at 20.5 (-> 21); round-half-to-even would give 0 and 20.
        locations[:7] = [[-1, -1], [1, 1], [0, 0], [-1, 1], [-0.75, 0.75], [0.75, -0.75], [1, -1]]
        reference = sensor_loops(images, locations, patch, scales)
        for method in ("box", "window"):
            ours = glimpse(method, size, patch, scales, images, locations)
            worst = max(worst, float(np.abs(ours - reference).max()))
    print(f"sensor (box and window) vs loop transcription of GlimpseSensor.extract: max |difference| {worst:.2e}")
    if worst > 1e-5:
        sys.exit(f"{script}: the sensor differs")


def report_learning(history, script):
    """Prints the first and last five steps' means of (cross-entropy, baseline MSE, reward) and
    exits unless cross-entropy fell."""
    first, last = np.mean(history[:5], axis=0), np.mean(history[-5:], axis=0)
    print(f"mean of the first 5 / last 5 steps: cross-entropy {first[0]:.4f} -> {last[0]:.4f}, "
          f"baseline MSE {first[1]:.4f} -> {last[1]:.4f}, reward {first[2]:.2f} -> {last[2]:.2f}")
    if not last[0] < first[0]:
        sys.exit(f"{script}: cross-entropy did not fall")
