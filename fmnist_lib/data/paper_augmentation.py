"""What Mukhamediev's Appendix A sets for its augmenter, and which implementation of it draws the images.

These values name the augmentation in the records' configs, so the registry reads
them whenever it plans or finds an augmentation or leakage record; they live apart
from the augmenter itself (``data.augment``, a Keras layer) so that reading records
does not import Keras.
"""

PAPER_ROTATION_DEGREES = 7.5  # printed as 0.75, probably 7.5 degrees (see data.augment)
PAPER_SHIFT = 0.075
PAPER_ZOOM = 0.085
# part of the leakage and augmentation records' config: another implementation draws other images
AUGMENTER_VERSION = "affine-gather-1"
