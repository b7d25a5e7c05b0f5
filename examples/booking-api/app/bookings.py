"""Room bookings, kept in memory: the data part of the API, no HTTP in here."""
import datetime
import itertools
import threading

ROOMS = {
    "atlas": {"name": "Atlas", "seats": 8},
    "borealis": {"name": "Borealis", "seats": 4},
    "cygnus": {"name": "Cygnus", "seats": 12},
}

_lock = threading.Lock()
_ids = itertools.count(1)
_bookings = []


class BookingError(ValueError):
    """A request the caller can fix: answered with 400, or 409 for a taken slot."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


def list_rooms():
    return [{"id": key, **room} for key, room in ROOMS.items()]


def list_bookings(room=None):
    with _lock:
        return [b for b in _bookings if room is None or b["room"] == room]


def create_booking(data):
    if not isinstance(data, dict):
        raise BookingError("the body must be a JSON object")
    room = data.get("room")
    if room not in ROOMS:
        raise BookingError(f"unknown room {room!r}; rooms: {', '.join(ROOMS)}")
    who = str(data.get("name", "")).strip()
    if not who:
        raise BookingError("name is required")
    try:
        day = datetime.date.fromisoformat(str(data.get("date", "")))
    except ValueError:
        raise BookingError("date must be YYYY-MM-DD") from None
    hour = data.get("hour")
    if not isinstance(hour, int) or not 8 <= hour <= 18:
        raise BookingError("hour must be a whole hour from 8 to 18")
    with _lock:
        for b in _bookings:
            if b["room"] == room and b["date"] == day.isoformat() and b["hour"] == hour:
                raise BookingError(f"{ROOMS[room]['name']} is taken at {hour}:00 on {day}", status=409)
        booking = {"id": next(_ids), "room": room, "date": day.isoformat(), "hour": hour, "name": who}
        _bookings.append(booking)
        return booking
