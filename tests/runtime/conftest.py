import pytest


@pytest.fixture(autouse=True)
def _torch_left_unpatched():
    """Every runtime test must leave torch's loss functions exactly as it found them."""
    import torch.nn.functional as F

    from lossdoctor.runtime._call import LOSSES

    before = {name: getattr(F, name) for name in LOSSES}
    yield
    assert {name: getattr(F, name) for name in LOSSES} == before, "lossdoctor left torch.nn.functional patched"
