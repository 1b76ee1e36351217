// The cluster tests arrive in the next commits.
