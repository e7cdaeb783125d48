"""The children in need (CIN) census."""
