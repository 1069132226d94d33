"""Generate clinic-like static sites for the benchmarks (deterministic for a seed).

Each page is about 1,500 words of clinic copy assembled from a few hundred
hand-written sentence templates: service and education text, FAQ answers,
testimonials, logistics, a few claim sentences (about one sentence in twenty)
and, repeated on every page of a site, the same header, navigation and footer.
Slots ({condition}, {treatment}, {n}, ...) and optional lead-ins and tails make
almost every body sentence distinct within a site, as on a real site, so that a
per-sentence cache cannot make the benchmark look faster than a real crawl.

Paths contain no digits (so URL-shape trap guards treat every page alike), each
page links to about ten others of its site, every page is reachable from the
home page, robots.txt disallows /private/ (a link to it sits in every footer)
and sitemap.xml lists the pages.

    python benchmarks/sitegen.py OUT_DIR --sites 20 --pages 250 --seed 7
"""

from __future__ import annotations

import argparse
import html
import json
import random
import re
import sys
from pathlib import Path
from string import capwords

FORMAT_VERSION = 4  # bump when the generated content changes

# -- per-site identity -------------------------------------------------------------

CLINIC_FIRST = [
    "Vitalis",
    "Cedar Ridge",
    "Harbor Point",
    "Summit",
    "Blue Heron",
    "Evergreen",
    "Lakeside",
    "Northstar",
    "Meridian",
    "Silver Pine",
    "Copper Canyon",
    "Brightwater",
    "Oak Hollow",
    "Redwood",
    "Granite Peak",
    "Willow Creek",
    "Seaside",
    "Prairie",
    "Aspen",
    "Magnolia",
    "Riverstone",
    "Clearview",
    "Highland",
    "Sunrise",
    "Bayview",
    "Stonebridge",
    "Golden Gate",
    "Maple Grove",
    "Pinecrest",
    "Westfield",
    "Crescent",
    "Falcon Ridge",
    "Ironwood",
    "Juniper",
    "Kingsley",
    "Larkspur",
    "Mesa Verde",
    "Oakmont",
    "Palisade",
    "Quarry Hill",
]
CLINIC_SECOND = [
    "Regenerative Center",
    "Cell Institute",
    "Orthopedic & Regenerative",
    "Wellness Clinic",
    "Spine and Joint",
    "Regenerative Medicine",
    "Biologics Clinic",
    "Pain & Performance",
    "Integrative Health",
    "Sports Medicine Group",
]
CITIES = [
    "Scottsdale",
    "Boise",
    "Tampa",
    "Austin",
    "Denver",
    "Reno",
    "Charlotte",
    "Tucson",
    "Nashville",
    "Sarasota",
    "Spokane",
    "Omaha",
    "Raleigh",
    "Savannah",
    "Santa Fe",
    "Fresno",
    "Knoxville",
    "Tulsa",
    "Madison",
    "Bend",
    "Asheville",
    "Naples",
    "Provo",
    "Wichita",
]
STREETS = [
    "Canyon Road",
    "Main Street",
    "Elm Avenue",
    "Harbor Drive",
    "Ridge Parkway",
    "Lake Street",
    "Mission Boulevard",
    "Cedar Lane",
    "Market Street",
    "Park Avenue",
]
DOCTOR_FIRST = [
    "Elena",
    "Marcus",
    "Priya",
    "Daniel",
    "Sofia",
    "Jonathan",
    "Aisha",
    "Thomas",
    "Rachel",
    "Victor",
    "Hannah",
    "Samuel",
    "Leila",
    "Gregory",
    "Naomi",
    "Adrian",
]
DOCTOR_LAST = [
    "Alvarez",
    "Brennan",
    "Chandra",
    "Delgado",
    "Ellison",
    "Fischer",
    "Gupta",
    "Hartley",
    "Ibarra",
    "Jensen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quinlan",
    "Rasmussen",
    "Serrano",
    "Takahashi",
]
PATIENT_NAMES = [
    "Linda",
    "Gary",
    "Maria",
    "Steve",
    "Janet",
    "Robert",
    "Carol",
    "Mike",
    "Denise",
    "Paul",
    "Karen",
    "Luis",
    "Brenda",
    "Frank",
    "Ana",
    "Tom",
    "Sharon",
    "Derek",
    "Gloria",
    "Ken",
    "Patty",
    "Raj",
    "Yvonne",
    "Walt",
]

# -- slot values ---------------------------------------------------------------------

SLOTS = {
    "condition": [
        "knee osteoarthritis",
        "rotator cuff tears",
        "lower back pain",
        "hip arthritis",
        "tennis elbow",
        "plantar fasciitis",
        "Achilles tendinopathy",
        "degenerative disc disease",
        "neck pain",
        "shoulder impingement",
        "meniscus tears",
        "sacroiliac joint pain",
        "chronic ankle instability",
        "golfer's elbow",
        "patellar tendinopathy",
        "hamstring strains",
        "thumb arthritis",
        "sciatica",
        "facet joint pain",
        "bursitis of the hip",
        "jumper's knee",
        "frozen shoulder",
        "wrist tendinitis",
        "runner's knee",
    ],
    "treatment": [
        "platelet-rich plasma injections",
        "bone marrow concentrate",
        "physical therapy",
        "guided exercise programs",
        "ultrasound-guided injections",
        "prolotherapy",
        "bracing and activity changes",
        "shockwave therapy",
        "hyaluronic acid injections",
        "nerve blocks",
        "dry needling",
        "strength training",
        "manual therapy",
        "anti-inflammatory care",
        "custom orthotics",
    ],
    "body_part": [
        "knee",
        "shoulder",
        "hip",
        "lower back",
        "neck",
        "elbow",
        "ankle",
        "wrist",
        "heel",
        "spine",
    ],
    "staff": [
        "nurse coordinator",
        "front desk team",
        "patient care coordinator",
        "physician assistant",
        "physical therapist",
        "billing specialist",
        "medical assistant",
        "imaging technician",
    ],
    "weekday": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
    "month": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "n": ["two", "three", "four", "five", "six", "eight", "ten", "twelve"],
    "num": ["2", "3", "4", "5", "6", "8", "10", "12", "14", "20", "30", "45"],
    "activity": [
        "walking the dog",
        "gardening",
        "playing golf",
        "climbing stairs",
        "hiking",
        "playing tennis",
        "lifting grandchildren",
        "running",
        "swimming laps",
        "cycling",
        "playing pickleball",
        "working at a desk",
        "skiing",
        "dancing",
    ],
    "insurer": [
        "Blue Cross",
        "Aetna",
        "Cigna",
        "UnitedHealthcare",
        "Humana",
        "Medicare",
        "Tricare",
    ],
    "imaging": ["an MRI", "an X-ray", "a diagnostic ultrasound", "a CT scan"],
    "adjective": [
        "careful",
        "thorough",
        "honest",
        "patient",
        "friendly",
        "detailed",
        "unhurried",
        "practical",
    ],
}

LEAD_INS = [
    "In our experience, ",
    "For many patients, ",
    "As a rule, ",
    "Most of the time, ",
    "In most cases, ",
    "At the first visit, ",
    "Where it makes sense, ",
    "Generally speaking, ",
    "As we explain to every new patient, ",
    "Before anything else, ",
    "Understandably, ",
    "In practice, ",
    "From the start, ",
    "Just as importantly, ",
    "Put simply, ",
    "On a typical day, ",
    "Over the years, ",
    "Whenever possible, ",
    "Like any clinic, ",
    "To keep things simple, ",
    "Since we opened in {city}, ",
    "According to Dr. {doctor}, ",
    "Every {weekday}, ",
    "Since last {month}, ",
    "For people with {condition}, ",
    "After {treatment}, ",
    "If you enjoy {activity}, ",
    "As our {staff} often says, ",
    "For the {body_part} in particular, ",
    "Unlike some clinics, ",
    "Just so you know, ",
    "For new patients, ",
    "For returning patients, ",
    "During the colder months, ",
    "Once you have booked, ",
]
TAILS = [
    ", and we are happy to talk it through",
    ", which we explain during the consultation",
    ", as our {staff} can confirm",
    ", especially for people with {condition}",
    " at our {city} office",
    " before any decision is made",
    ", whatever the result of {imaging}",
    ", and that is written into your care plan",
    " on {weekday} mornings as well",
    ", and nothing is scheduled until you agree",
    ", according to the notes from your last visit",
    " for patients who enjoy {activity}",
    ", as Dr. {doctor} explains at the first visit",
    " if you have had {treatment} before",
    ", unless {imaging} shows something unexpected",
    " during {month} and the rest of the year",
    ", and your {staff} keeps a record of it",
    " for anyone recovering from {condition}",
    ", so the {body_part} has time to settle",
    " within about {n} weeks of your visit",
    ", which many patients tell us they appreciate",
    " if your plan with {insurer} allows it",
    ", just as we do for every other patient",
    " after a short conversation with the {staff}",
]

# Neutral service, education and logistics text: the bulk of every page.
NEUTRAL = [
    "At {clinic} we begin with a {adjective} history and a hands-on examination "
    "of your {body_part}.",
    "Our team reviews {imaging} if you already have one, so you do not need to repeat it.",
    "We treat {condition} with a combination of {treatment} and {treatment2}.",
    "Every plan is written down so you know what each visit is for and what it costs.",
    "Your first appointment usually lasts about {num} minutes.",
    "Please bring a list of your current medications and any recent test results.",
    "Dr. {doctor} has cared for people with {condition} for many years.",
    "We see adults of all ages, from weekend athletes to retirees who enjoy {activity}.",
    "Most visits take place at our {city} office on {street}.",
    "Parking is free in the lot behind the building, and the entrance is step-free.",
    "Our {staff} will call you the day before your appointment to confirm the time.",
    "If you need to reschedule, please give us at least {n} days' notice.",
    "We accept most major insurance plans, including {insurer}.",
    "Some treatments, such as {treatment}, may not be covered by your plan.",
    "Our {staff} can check your benefits before your visit.",
    "We will always tell you the price of a procedure before it is scheduled.",
    "Payment plans are available for treatments that insurance does not cover.",
    "The clinic is open from {weekday} to Friday, with early appointments for working patients.",
    "Telehealth follow-ups are available for patients who live outside {city}.",
    "After each visit you receive a written summary of what was done and what comes next.",
    "We coordinate with your primary care doctor and send them a copy of our notes.",
    "Exercise remains one of the most useful things you can do for {condition}.",
    "A physical therapist will show you exercises to do at home between visits.",
    "Ice, rest and gentle movement are often recommended in the first days after an injection.",
    "Many people with {condition} improve with conservative care alone.",
    "We usually suggest trying {treatment} before considering anything more involved.",
    "Surgery is sometimes the right answer, and we will refer you to a surgeon when it is.",
    "Results vary from person to person, and we will discuss what is realistic for you.",
    "We track your progress with simple questionnaires at each visit.",
    "You can ask questions at any point, and there is no pressure to decide on the day.",
    "Our clinic has been part of the {city} community for over {n} years.",
    "We are a small practice, which means you will see the same clinicians every time.",
    "Dr. {doctor} trained in physical medicine and rehabilitation.",
    "Our staff includes physicians, physical therapists and a dedicated {staff}.",
    "Ultrasound guidance helps place an injection precisely in the {body_part}.",
    "The procedure is done under local anesthetic and usually takes less than an hour.",
    "You may feel some soreness in the {body_part} for a few days afterwards.",
    "We ask that you arrange a ride home if you have had a sedative.",
    "Avoid anti-inflammatory medicines for about a week before some injections.",
    "Your blood is drawn from the arm and spun in a centrifuge to concentrate the platelets.",
    "Bone marrow is usually taken from the back of the hip bone with a needle.",
    "We explain each step of the procedure before we begin.",
    "Clinical research on {treatment} is ongoing, and evidence for some uses is limited.",
    "Some insurers consider {treatment} investigational for {condition}.",
    "We follow published guidelines when recommending treatment for {condition}.",
    "Patients with diabetes or heart disease may need clearance from their doctor first.",
    "A follow-up visit is usually scheduled {n} weeks after the procedure.",
    "Gradually returning to {activity} is part of most rehabilitation plans.",
    "We can provide a work note if you need time off after a procedure.",
    "Our office is closed on public holidays, and the voicemail is checked every morning.",
    "Messages left through the patient portal are answered within one business day.",
    "New patient forms can be completed online before your first visit.",
    "Please arrive about fifteen minutes early to complete any remaining paperwork.",
    "Interpreters are available on request for patients who prefer another language.",
    "We welcome a family member or friend to join you at any appointment.",
    "Wheelchairs are available at the front desk if you need one.",
    "If your symptoms change suddenly, call us or seek urgent care.",
    "For emergencies, call 911 or go to the nearest emergency department.",
    "We keep your records private and share them only with your permission.",
    "Our privacy notice explains how your health information is used.",
    "You can request a copy of your records from the {staff} at any time.",
    "Education is a big part of what we do, and we will send you reading material after the visit.",
    "Sleep, nutrition and stress all affect how quickly tissues recover.",
    "Losing even a small amount of weight can reduce the load on the {body_part}.",
    "Low-impact exercise such as swimming or cycling is often easier on painful joints.",
    "A brace can take pressure off the {body_part} while it settles down.",
    "Pain that wakes you at night is worth mentioning to your clinician.",
    "We may order {imaging} if the examination does not explain your symptoms.",
    "Blood tests are sometimes needed before a procedure.",
    "Our clinicians take part in continuing education every year.",
    "We publish our prices for common procedures on the pricing page.",
    "Gift cards and package deals are not something we offer for medical procedures.",
    "The waiting room has coffee, tea and free wireless internet.",
    "Service animals are welcome in all areas of the clinic.",
    "The building is close to the number {num} bus line.",
    "We send appointment reminders by text message unless you ask us not to.",
    "You can cancel reminders at any time by replying STOP.",
    "Our newsletter comes out once a month and covers clinic news and exercise tips.",
    "We never sell or share your email address.",
    "Many of our patients are referred by their family doctor or a friend.",
    "A referral is not required for most appointments.",
    "Some insurance plans do require a referral, so please check with {insurer} first.",
    "We will send a letter to your referring doctor after each visit.",
    "Our {staff} handles prior authorizations for covered procedures.",
    "A consultation is the best way to find out whether a treatment is appropriate.",
    "Not every patient is a good candidate, and we will tell you honestly if you are not.",
    "We may recommend a different clinic if another approach suits you better.",
    "The aim of treatment is to help you get back to {activity} with less pain.",
    "Small, steady improvements are common in the months after treatment.",
    "We will review your home exercise program at each visit.",
    "Keeping a simple pain diary helps us see what is working.",
    "Wear loose clothing that allows us to examine the {body_part} easily.",
    "You can eat normally on the day of most procedures.",
    "Showering is fine the day after an injection, but avoid baths and pools for {n} days.",
    "Mild bruising at the injection site usually fades within a week.",
    "Call us if you notice redness, warmth or fever after a procedure.",
    "Infection after an injection is uncommon, but it can happen.",
    "All procedures carry some risk, which we discuss with you beforehand.",
    "You will sign a consent form that lists the known risks and alternatives.",
    "The consent form also explains which uses of a treatment are approved and which are not.",
    "We keep up with guidance from professional societies on regenerative treatments.",
    "Our clinicians are happy to look at any article you bring to your appointment.",
    "The evidence for {treatment} in {condition} is still developing.",
    "Studies of {treatment} have had mixed results, and larger trials are under way.",
    "We explain the difference between approved treatments and those still being studied.",
    "Our team includes a sports medicine physician and {n} physical therapists.",
    "Dr. {doctor} is board certified and has privileges at the local hospital.",
    "We are located on the second floor, next to the pharmacy.",
    "Elevator access is available from the main lobby.",
    "Our phone lines are open from 8 in the morning until 5 in the afternoon.",
    "Evening appointments are available on {weekday}.",
    "We close early on the last Friday of each month for staff training.",
    "In {month} we moved to a larger office with more treatment rooms.",
    "The new office has a dedicated rehabilitation gym.",
    "We host a free community talk on joint health every {month}.",
    "Seats for the community talk are limited, so please register in advance.",
    "Our clinicians volunteer at local running events and school sports days.",
    "We sponsor a youth soccer team in {city}.",
    "Feedback from patients helps us improve the way we work.",
    "You can leave a review online or fill in a paper survey at the front desk.",
    "Complaints are taken seriously and answered by the practice manager.",
    "We do not offer treatments to children under eighteen.",
    "Pregnant patients should talk to their obstetrician before any procedure.",
    "Some medications, such as blood thinners, may need to be paused before a procedure.",
    "Never stop a prescribed medication without talking to the doctor who prescribed it.",
    "Our nurses can answer questions about wound care after a procedure.",
    "Crutches or a sling are sometimes needed for a short time.",
    "Driving may not be safe for a day or two after some procedures.",
    "Plan to take it easy for the rest of the day after your appointment.",
    "Light walking is encouraged from the first day unless we advise otherwise.",
    "Heavy lifting should wait until your clinician says it is safe.",
    "Return to sport is gradual and guided by how the {body_part} responds.",
    "Your therapist will adjust the program as you get stronger.",
    "Group exercise classes run on {weekday} and Thursday evenings.",
    "The classes are led by a physical therapist and are open to all patients.",
    "Balance training can reduce the risk of falls for older adults.",
    "Stretching before and after exercise helps many people with {condition}.",
    "Good footwear makes a real difference for heel and knee pain.",
    "We can recommend local gyms and pools that offer programs for joint pain.",
    "Our website has short videos that show the most common home exercises.",
    "We update this page whenever our services or prices change.",
    "Information on this page is general and is not a substitute for a medical visit.",
    "Questions about your own situation are best answered at a consultation.",
    "Call our office or use the online form to request an appointment.",
    "We aim to offer a first appointment within {n} working days.",
    "Urgent referrals from other doctors are seen sooner whenever possible.",
    "We are happy to provide a second opinion on a treatment plan from another clinic.",
    "Bring any previous reports so we can see what has already been tried.",
    "Some patients come to us after {treatment} did not help as much as they hoped.",
    "Others want to avoid surgery for as long as is reasonable.",
    "We respect whatever decision you make about your care.",
    "Our goal is to give you clear information, not to sell a procedure.",
    "Shared decision-making means you and your clinician decide together.",
    "We document the reasons for each recommendation in your chart.",
    "Outcomes are reviewed at our monthly clinical meeting.",
    "The practice is inspected regularly and follows state licensing rules.",
    "Our laboratory equipment is maintained and calibrated on a fixed schedule.",
    "Single-use needles and sterile technique are used for every procedure.",
    "Hand hygiene and room cleaning follow infection control guidance.",
    "We ask patients with a fever or cough to reschedule non-urgent visits.",
    "Masks are available at the entrance for anyone who wants one.",
]

# Claim sentences: what a regulator would flag. Kept to about one sentence in twenty.
CLAIMS = [
    "Our stem cell therapy can reverse {condition} without surgery.",
    "Stem cell treatment regrows damaged cartilage in the {body_part} naturally.",
    "Most patients are back to {activity} within {n} days of their stem cell injection.",
    "Our stem cell procedures are completely safe and have no side effects.",
    "Our stem cell treatments are FDA approved for {condition}.",
    "This breakthrough stem cell therapy cures {condition} for good.",
    "Umbilical cord stem cells repair {condition} at the source.",
    "Stem cell therapy is a proven alternative to joint replacement.",
    "Patients walk out pain-free the same day after our regenerative injection.",
    "Our exosome therapy rejuvenates every tissue it reaches.",
    "Stem cells from your own fat can heal {condition} permanently.",
    "Our FDA-registered lab makes our stem cell products fully approved.",
    "Recovery after our stem cell procedure takes only {n} days.",
    "There is zero risk of rejection or complications with our stem cells.",
    "Stem cell therapy can also treat multiple sclerosis, Parkinson's disease and autism.",
    "Say goodbye to {condition} with a single stem cell injection.",
    "Our amniotic stem cell injections rebuild torn tendons in weeks.",
    "Stem cell treatment restores the {body_part} to the way it was years ago.",
    "You will be back on the golf course within {n} weeks, guaranteed.",
    "Our stem cell protocol is the miracle cure your doctor never told you about.",
    "Stem cells are 100% natural, so there is nothing to worry about.",
    "Our cord blood stem cell infusion reverses the effects of aging.",
    "Stem cell therapy eliminates the need for pain medication for good.",
    "We have helped hundreds of patients with {condition} avoid surgery forever with stem cells.",
    "The FDA has cleared our stem cell treatment as safe and effective.",
]

HEADINGS = [
    "What to expect at your first visit",
    "How we treat {condition}",
    "Our approach",
    "Preparing for your appointment",
    "After your procedure",
    "Insurance and payment",
    "Meet Dr. {doctor}",
    "Why patients choose {clinic}",
    "Getting back to {activity}",
    "Understanding {condition}",
    "Is {treatment} right for you?",
    "Risks and side effects",
    "Home exercises",
    "Our {city} office",
    "Frequently asked questions",
    "Patient stories",
    "Research and evidence",
    "Conditions we see",
    "Your care team",
    "Booking and cancellations",
    "Recovery timeline",
    "Questions to ask",
    "Costs and financing",
    "Community events",
]
LEAD_IN_LISTS = [
    ("Conditions we commonly see include:", "condition"),
    ("Treatments we may discuss with you:", "treatment"),
    ("Activities our patients want to get back to:", "activity"),
    ("Plans we accept include:", "insurer"),
]
FAQ = [
    (
        "How long does a first appointment take?",
        "Plan for about {num} minutes, including the examination and time for questions.",
    ),
    (
        "Do I need a referral?",
        "Most patients do not, but some plans such as {insurer} require one.",
    ),
    (
        "Will my insurance cover {treatment}?",
        "Coverage varies, and our {staff} will check your benefits before you decide.",
    ),
    (
        "Is the procedure painful?",
        "Most people feel pressure and some soreness, and we use local anesthetic "
        "to keep you comfortable.",
    ),
    (
        "How soon can I return to work?",
        "Many desk workers return the next day, while physical jobs may need {n} days or more.",
    ),
    (
        "Can I drive home afterwards?",
        "If you have had a sedative, please arrange for someone else to drive you home.",
    ),
    ("What should I wear?", "Loose clothing that lets us reach the {body_part} easily is best."),
    (
        "How many sessions will I need?",
        "That depends on your condition, and we review your progress after each session.",
    ),
    (
        "Do you treat {condition}?",
        "Yes, we see many patients with {condition} and will discuss all of the options with you.",
    ),
    (
        "What if the treatment does not help?",
        "We will review the plan with you and may suggest {treatment} "
        "or a referral to a specialist.",
    ),
    (
        "Are there side effects?",
        "Soreness and bruising are common, and infection or nerve injury are rare but possible.",
    ),
    (
        "Can I keep exercising?",
        "Gentle activity is usually fine, and your therapist will tell you what to avoid.",
    ),
    (
        "Do you offer payment plans?",
        "Yes, payment plans are available for treatments that insurance does not cover.",
    ),
    ("Is parking available?", "Free parking is available behind the building on {street}."),
    (
        "Can a family member come with me?",
        "Of course, and many patients find it helpful to have someone take notes.",
    ),
    (
        "What happens at a follow-up visit?",
        "We examine the {body_part} again, review your pain diary and adjust the plan.",
    ),
    (
        "Do you see patients from outside {city}?",
        "Yes, and telehealth follow-ups can save you a long drive.",
    ),
    (
        "Is {treatment} approved for {condition}?",
        "Ask us at your consultation, and we will explain what is approved "
        "and what is still being studied.",
    ),
    (
        "How do I prepare for an injection?",
        "Avoid anti-inflammatory medicines for about a week "
        "unless your doctor tells you otherwise.",
    ),
    (
        "Can I take a bath after the procedure?",
        "Showers are fine the next day, but avoid baths and pools for {n} days.",
    ),
    (
        "Who will perform my procedure?",
        "Dr. {doctor} or another physician from our team performs every procedure.",
    ),
    (
        "How do I cancel an appointment?",
        "Call the front desk or use the patient portal at least {n} days ahead.",
    ),
    (
        "Do you offer evening appointments?",
        "Yes, on {weekday} evenings, and early morning slots are available too.",
    ),
    ("How are prices set?", "Our prices are published online and include the follow-up visit."),
]
TESTIMONIALS = [
    "I was nervous before my first visit, but the {staff} put me at ease right away.",
    "Dr. {doctor} took the time to explain everything and never rushed me.",
    "After a few months of therapy I am back to {activity} most weekends.",
    "The office is clean, the staff are friendly and I never waited long.",
    "They were honest that surgery might still be needed one day, which I appreciated.",
    "My {body_part} still aches sometimes, but I can do far more than I could last {month}.",
    "The home exercises were boring at first, but they really made a difference.",
    "I liked that they called my family doctor and kept her in the loop.",
    "Booking was easy and the reminders meant I never missed an appointment.",
    "They checked my insurance ahead of time, so there were no surprises.",
    "I drove in from two hours away and the telehealth follow-ups saved me a lot of time.",
    "The physical therapist pushed me just enough without overdoing it.",
    "Everyone from the front desk to the doctor treated me with respect.",
    "I would recommend {clinic} to anyone who wants straight answers.",
    "My husband came with me to every visit and they always included him.",
    "I finally understand what is going on with my {body_part}.",
    "It was not a quick fix, but steady progress was exactly what I needed.",
    "They told me {treatment} was worth trying first, and it helped.",
    "The group classes on {weekday} evenings kept me motivated.",
    "Parking was easy and the building was simple to get around with my cane.",
    "I had {condition} for years and this is the first clinic that made a real plan.",
    "Thanks to the whole team, I walked my daughter down the aisle in {month}.",
    "Honestly the best medical office experience I have had in {city}.",
    "The written summary after each visit helped me remember what to do.",
]
TITLES = [
    "{condition_title} Treatment",
    "Living with {condition_title}",
    "{treatment_title}",
    "What Is {treatment_title}?",
    "{body_title} Pain Care",
    "Returning to {activity_title}",
    "{condition_title}: Your Questions Answered",
    "Our Guide to {treatment_title}",
    "{body_title} Injuries and Recovery",
    "Preparing for {treatment_title}",
]
SLUG_WORDS = [
    "knee",
    "shoulder",
    "hip",
    "spine",
    "neck",
    "elbow",
    "ankle",
    "wrist",
    "heel",
    "back",
    "pain",
    "care",
    "recovery",
    "guide",
    "questions",
    "injection",
    "therapy",
    "exercise",
    "arthritis",
    "tendon",
    "cartilage",
    "joint",
    "sports",
    "running",
    "golf",
    "tennis",
    "posture",
    "sleep",
    "strength",
    "balance",
    "walking",
    "rehab",
    "ultrasound",
    "imaging",
    "plasma",
    "marrow",
    "brace",
    "orthotics",
    "stretching",
    "swimming",
    "cycling",
    "desk",
    "work",
    "seniors",
    "athletes",
    "insurance",
    "costs",
    "visit",
    "prepare",
    "after",
    "before",
    "options",
    "evidence",
    "research",
    "myths",
    "facts",
    "tips",
    "daily",
    "winter",
    "summer",
    "morning",
    "evening",
    "weekend",
    "stairs",
    "garden",
    "hiking",
    "dancing",
]
SECTIONS = ["treatments", "conditions", "learn", "blog", "faq", "patients"]
NAV = [
    ("/index.html", "Home"),
    ("/about.html", "About us"),
    ("/treatments.html", "Treatments"),
    ("/conditions.html", "Conditions"),
    ("/faq.html", "FAQ"),
    ("/testimonials.html", "Patient stories"),
    ("/contact.html", "Contact"),
]
FIXED_PAGES = [
    "/index.html",
    "/about.html",
    "/treatments.html",
    "/conditions.html",
    "/faq.html",
    "/testimonials.html",
    "/contact.html",
]

PAGE_WORDS = 1500
_SLOT = re.compile(r"\{(\w+)\}")


class SiteWriter:
    """Writes one site; all randomness comes from its own seeded generator."""

    def __init__(self, index: int, seed: int):
        self.rng = random.Random(f"{seed}:{index}")
        rng = self.rng
        self.clinic = f"{CLINIC_FIRST[index % len(CLINIC_FIRST)]} " + rng.choice(CLINIC_SECOND)
        if index >= len(CLINIC_FIRST):
            self.clinic += f" of {rng.choice(CITIES)}"
        self.city = rng.choice(CITIES)
        self.street = f"{rng.randint(100, 9999)} {rng.choice(STREETS)}"
        self.doctor = f"{rng.choice(DOCTOR_FIRST)} {rng.choice(DOCTOR_LAST)}"
        self.phone = f"(555) {rng.randint(200, 999)}-{rng.randint(1000, 9999)}"
        # A tagline with a claim sits in every page's header, as on many real sites.
        self.tagline = rng.choice(
            [
                "Safe, natural stem cell therapy that heals you from within.",
                "Regenerative care that helps you move again.",
                "Stem cell treatments with no downtime and no side effects.",
                "Honest answers about joint pain and its treatment.",
            ]
        )

    def fill(self, template: str) -> str:
        rng = self.rng

        def value(match: re.Match) -> str:
            name = match.group(1)
            fixed = {
                "clinic": self.clinic,
                "city": self.city,
                "doctor": self.doctor,
                "street": self.street,
            }
            if name in fixed:
                return fixed[name]
            return rng.choice(SLOTS[name.rstrip("2")])

        return _SLOT.sub(value, template)

    def sentence(self) -> str:
        """One body sentence: mostly neutral, about one in twenty a claim."""
        rng = self.rng
        if rng.random() < 0.05:
            return self.fill(rng.choice(CLAIMS))
        text = self.fill(rng.choice(NEUTRAL))
        if rng.random() < 0.6:
            first = text if text.startswith(("Dr.", "I ")) else text[0].lower() + text[1:]
            text = self.fill(rng.choice(LEAD_INS)) + first
        if rng.random() < 0.6 and text.endswith("."):
            text = text[:-1] + self.fill(rng.choice(TAILS)) + "."
        return text

    def paragraph(self, sentences: int) -> str:
        return " ".join(self.sentence() for _ in range(sentences))

    def title(self) -> str:
        rng = self.rng
        template = rng.choice(TITLES)
        values = {
            "condition_title": capwords(rng.choice(SLOTS["condition"])),
            "treatment_title": capwords(rng.choice(SLOTS["treatment"])),
            "body_title": capwords(rng.choice(SLOTS["body_part"])),
            "activity_title": capwords(rng.choice(SLOTS["activity"])),
        }
        return template.format(**values)

    def paths(self, pages: int) -> list[str]:
        """``pages`` distinct digit-free paths, the fixed pages first."""
        paths = FIXED_PAGES[: max(1, min(pages, len(FIXED_PAGES)))]
        seen = set(paths)
        while len(paths) < pages:
            words = self.rng.sample(SLUG_WORDS, 3)
            path = f"/{self.rng.choice(SECTIONS)}/{'-'.join(words)}.html"
            if path not in seen:
                seen.add(path)
                paths.append(path)
        return paths

    def page(self, number: int, paths: list[str]) -> str:
        rng = self.rng
        e = html.escape
        title = "Home" if number == 0 else self.title()
        body: list[str] = []
        words = 0

        def add(fragment: str, text: str) -> None:
            nonlocal words
            body.append(fragment)
            words += len(text.split())

        intro = self.paragraph(rng.randint(3, 5))
        add(f'<p class="lead">{e(intro)}</p>', intro)
        while words < PAGE_WORDS - 250:
            heading = self.fill(rng.choice(HEADINGS))
            add(f"<h2>{e(heading)}</h2>", heading)
            kind = rng.random()
            if kind < 0.55:
                for _ in range(rng.randint(1, 3)):
                    text = self.paragraph(rng.randint(3, 7))
                    add(f"<p>{e(text)}</p>", text)
            elif kind < 0.7:
                lead, slot = rng.choice(LEAD_IN_LISTS)
                items = rng.sample(SLOTS[slot], min(len(SLOTS[slot]), rng.randint(4, 7)))
                add(f"<p>{e(lead)}</p>", lead)
                add(
                    "<ul>"
                    + "".join(f"<li>{e(i[0].upper() + i[1:])}</li>" for i in items)
                    + "</ul>",
                    " ".join(items),
                )
                text = self.paragraph(rng.randint(2, 4))
                add(f"<p>{e(text)}</p>", text)
            elif kind < 0.85:
                for question, answer in rng.sample(FAQ, rng.randint(2, 4)):
                    q, a = self.fill(question), self.fill(answer) + " " + self.sentence()
                    add(f"<h3>{e(q)}</h3><p>{e(a)}</p>", q + " " + a)
            else:
                for _ in range(rng.randint(1, 2)):
                    quote = " ".join(self.fill(t) for t in rng.sample(TESTIMONIALS, 2))
                    quote += " " + self.sentence()
                    who = f"{rng.choice(PATIENT_NAMES)}, {rng.choice(CITIES)}"
                    add(
                        f"<blockquote><p>{e(quote)}</p><cite>{e(who)}</cite></blockquote>",
                        quote + " " + who,
                    )
        # ~10 in-site links: the nav (7), the next page (keeps every page reachable)
        # and a few related pages.
        following = paths[(number + 1) % len(paths)]
        related = rng.sample(paths, min(len(paths), 4))
        links = [following] + [p for p in related if p != following]
        related_html = "".join(f'<li><a href="{p}">{e(self.link_text(p))}</a></li>' for p in links)
        nav = "".join(f'<li><a href="{href}">{text}</a></li>' for href, text in NAV)
        footer = (
            f"<p>{e(self.clinic)}, {e(self.street)}, {e(self.city)}. Phone {e(self.phone)}.</p>"
            "<p>Open Monday to Friday, 8 in the morning to 5 in the afternoon.</p>"
            '<p class="fine">The information on this website is general and is not medical '
            "advice. Individual results vary. Please talk to your doctor about your own "
            "situation.</p>"
            f'<p><a href="/privacy.html">Privacy</a> <a href="/private/staff-login.html">'
            f"Staff login</a> &copy; {e(self.clinic)}</p>"
        )
        description = self.sentence()
        return (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{e(title)} | {e(self.clinic)}</title>"
            f'<meta name="description" content="{e(description)}">'
            "<style>body{font-family:Georgia,serif;max-width:46rem;margin:auto}</style>"
            "</head><body>\n"
            f'<header><p class="brand"><a href="/index.html">{e(self.clinic)}</a></p>'
            f'<p class="tagline">{e(self.tagline)}</p><nav><ul>{nav}</ul></nav></header>\n'
            f"<main><h1>{e(title)}</h1>\n" + "\n".join(body) + "\n"
            f"<h2>Related pages</h2><ul>{related_html}</ul></main>\n"
            f"<footer>{footer}</footer>\n</body></html>\n"
        )

    def link_text(self, path: str) -> str:
        stem = path.rsplit("/", 1)[-1].removesuffix(".html")
        return stem.replace("-", " ").capitalize()


def write_site(folder: Path, index: int, pages: int, seed: int) -> int:
    """Write one site into ``folder``; return the number of words written."""
    writer = SiteWriter(index, seed)
    paths = writer.paths(pages)
    total = 0
    for number, path in enumerate(paths):
        target = folder / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        page = writer.page(number, paths)
        target.write_text(page, "utf-8")
        total += len(re.sub(r"<[^>]+>", " ", page).split())
    # /privacy.html is linked from every footer but is not one of the counted pages:
    # it answers 404 (as on many real sites). /private/ exists but robots.txt forbids it.
    (folder / "private").mkdir(exist_ok=True)
    (folder / "private" / "staff-login.html").write_text(
        "<html><body><p>Staff only.</p></body></html>", "utf-8"
    )
    (folder / "robots.txt").write_text(
        "User-agent: *\nDisallow: /private/\n\nSitemap: __ORIGIN__/sitemap.xml\n", "utf-8"
    )
    urls = "".join(f"<url><loc>__ORIGIN__{p}</loc></url>\n" for p in paths)
    (folder / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + urls + "</urlset>\n",
        "utf-8",
    )
    return total


def generate(out: Path, sites: int, pages: int, seed: int = 7) -> list[Path]:
    """Generate (or reuse) ``sites`` sites of ``pages`` pages under ``out``; return folders."""
    out = Path(out)
    stamp = out / "sitegen.json"
    wanted = {"sites": sites, "pages": pages, "seed": seed, "format": FORMAT_VERSION}
    folders = [out / f"site{chr(97 + i // 26)}{chr(97 + i % 26)}" for i in range(sites)]
    if stamp.is_file() and json.loads(stamp.read_text()).get("params") == wanted:
        return folders
    out.mkdir(parents=True, exist_ok=True)
    stamp.unlink(missing_ok=True)
    words = 0
    for i, folder in enumerate(folders):
        words += write_site(folder, i, pages, seed)
    stamp.write_text(json.dumps({"params": wanted, "words": words}))
    return folders


def site_stats(folder: Path) -> dict:
    """Words per page and the share of distinct sentences among a site's body sentences."""
    from scanner.extract import extract
    from scanner.segment import segments_from_blocks

    pages = sorted(p for p in folder.rglob("*.html") if "private" not in p.parts)
    sentences, paragraph_sentences, words = [], [], 0
    for page in pages:
        document = extract(page.read_bytes(), "text/html; charset=utf-8", str(page))
        words += len(document.text.split())
        for segment in segments_from_blocks(document.text, document.blocks):
            sentences.append(segment.text)
            if segment.kind == "paragraph":
                paragraph_sentences.append(segment.text)
    return {
        "pages": len(pages),
        "words_per_page": round(words / max(1, len(pages))),
        "segments_per_page": round(len(sentences) / max(1, len(pages)), 1),
        "distinct_segment_share": round(len(set(sentences)) / max(1, len(sentences)), 3),
        "distinct_paragraph_sentence_share": round(
            len(set(paragraph_sentences)) / max(1, len(paragraph_sentences)), 3
        ),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--pages", type=int, default=250)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--stats", action="store_true", help="Print words and sentence variety.")
    args = parser.parse_args(argv)
    folders = generate(args.out, args.sites, args.pages, args.seed)
    print(f"{len(folders)} sites x {args.pages} pages in {args.out}")
    if args.stats:
        print(json.dumps(site_stats(folders[0]), indent=2))


if __name__ == "__main__":
    sys.exit(main())
