"""The staff web app (`/app`): a page for every person, signed in with a cookie session.

Every form goes through the same function as the API route it stands for, so the workflow's
validator answers it and there is no second copy of any rule."""
