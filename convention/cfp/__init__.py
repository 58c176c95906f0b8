"""The call for papers: proposals, speaker profiles, co-speakers, attachments, availability."""
