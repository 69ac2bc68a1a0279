"""The people who sign in to the dashboard: users with roles and hashed passwords, their
sessions, and the throttling of sign-in attempts."""
