print("registry-dev")
