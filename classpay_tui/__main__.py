from classpay_tui.cli import main

main()
