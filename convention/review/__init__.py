"""Review of proposals: settings, criteria, reviewers' expertise and teams, bids, conflicts, assignments, scores, decisions."""
