"""chosho's screens; each declares the keys it owns."""
