"""Unicorn-shop traffic: real HTTP visitors for the lab's Apache, or access-log lines written directly."""
