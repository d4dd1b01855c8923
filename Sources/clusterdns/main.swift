print("clusterdns")
