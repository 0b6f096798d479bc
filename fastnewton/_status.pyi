import enum

class Status(enum.IntEnum):
    SUCCESS = 0
    MAXITER = 1
    NO_PROGRESS = 2
    LINALG_ERROR = 3
    NONFINITE = 4
    SADDLE = 5
    CALLBACK_STOP = 99

class Event(enum.IntEnum):
    EVENT_ACCEPTED = 1
    EVENT_BOUNDARY = 2
    EVENT_HARD_CASE = 4
    EVENT_MODIFIED = 8
    EVENT_NEGATIVE_CURVATURE = 16
    EVENT_NONFINITE = 32
