"""The movement's plans as data: presets of phases, milestones and targets for real plans."""
