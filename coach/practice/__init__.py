"""Practice from the notes: the questions they hold (`questions`), grading (`grading`, `star`),
the practice history (`store`), the drill (`drill`), talking points said out loud (`speech`,
`points`) and job-posting prep (`prep`)."""
