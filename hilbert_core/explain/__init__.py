"""Segment evidence: which segments of one interview moved its prediction (faithful scores measured by
removing or integrating over segments) beside the model's attention weights."""
