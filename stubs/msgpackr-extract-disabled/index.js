// msgpackr checks `if (extractor)` and keeps its pure-JS string decoder when the accelerator is null.
module.exports = null;
