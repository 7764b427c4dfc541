"""Inter-provincial transfer out (省际转出, seed 000): rules as data, the pure check, the application."""
