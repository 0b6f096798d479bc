# Codes shared by the compiled drivers and the Python result builder.

cpdef enum Status:
    SUCCESS = 0          # the gradient-norm test held
    MAXITER = 1
    NO_PROGRESS = 2      # predicted decrease vanished, radius or line search collapsed
    LINALG_ERROR = 3     # a factorization failed even after modification
    NONFINITE = 4        # the user's functions returned inf/NaN and no smaller step helped
    SADDLE = 5           # ‖g‖ ≤ gtol but H has negative curvature that no step could use
    CALLBACK_STOP = 99   # callback raised StopIteration (scipy's code)

cpdef enum Event:
    # Bit flags describing one iteration, for the disp table.
    EVENT_ACCEPTED = 1
    EVENT_BOUNDARY = 2
    EVENT_HARD_CASE = 4
    EVENT_MODIFIED = 8
    EVENT_NEGATIVE_CURVATURE = 16
    EVENT_NONFINITE = 32
