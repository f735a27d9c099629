"""Contracts between careerpath services: msgspec Structs used on both sides of every call."""
