"""Status codes and iteration event flags of the compiled drivers."""
