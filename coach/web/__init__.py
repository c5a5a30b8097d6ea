"""The Gradio app over `coach.app.Coach` (`ui`) and the perimeter in front of it (`guard`)."""
