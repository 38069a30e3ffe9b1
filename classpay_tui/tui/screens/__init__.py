"""The three main screens: bundles, payment details, writer payouts."""
