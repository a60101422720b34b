"""tessera"""
