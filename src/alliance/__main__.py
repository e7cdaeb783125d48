from alliance.cli import main

main()
