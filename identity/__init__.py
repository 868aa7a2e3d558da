"""Who is acting: API keys bound to persons, and the ownership rule every route keeps."""
