// Placeholder: this door is being built (see the issue tracker).
export {}
