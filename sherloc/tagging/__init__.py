"""Crime-type tagging: evaluation sets and (later) the tagger."""
