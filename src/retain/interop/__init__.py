"""retain.interop"""
