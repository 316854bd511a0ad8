from bike_pipeline.cli import main

main()
