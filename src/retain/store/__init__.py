"""retain.store"""
