"""Vision instantiation of V-pretraining: a DINO-style ViT learner whose views and masks a designer builds (docs/vision.md)."""
