"""vsweep's PyTorch engine (V-pretraining for Hugging Face causal LMs and the built-in GPT).

`vsweep_torch.protocol` is the small helper that turns any training script into a
vsweep engine; `python3 -m vsweep_torch.train` is the engine itself.
"""
__version__ = "0.1.0"
