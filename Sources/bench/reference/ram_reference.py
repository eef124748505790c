"""What ram_jax.py and ram_torch.py share, in numpy alone: the configurations and sizes of the
RAM step they both time, and a loop-by-loop transcription of our glimpse sensor that both check
their sensors against (--check-sensor)."""
import math

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
