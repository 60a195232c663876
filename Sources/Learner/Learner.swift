// The Learner module; see docs/architecture.md for its job. Types are added by the
// issue that builds it.
