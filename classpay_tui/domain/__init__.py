"""Pure rules of the payments desk: money, plans, allocation, statuses. Imports nothing of the project."""
