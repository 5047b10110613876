"""retain.core"""
