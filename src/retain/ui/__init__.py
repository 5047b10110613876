"""retain.ui"""
