"""Check-in at the door: lists that say who may enter, and every scan logged."""
