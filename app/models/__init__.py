"""All models, imported so that metadata is complete."""
from app.models.blanks import Blank, BlankHistory, IssuedDocument  # noqa: F401
from app.models.contingent import Movement, MovementKind, Order, OrderKind  # noqa: F401
from app.models.imports import ImportRecord  # noqa: F401
from app.models.journal import (  # noqa: F401
    AccessGrant,
    FinalGrade,
    JournalCell,
    JournalChange,
    JournalOp,
    JournalSettings,
    LessonRecord,
    Mark,
)
from app.models.org import (  # noqa: F401
    EmailConfirmation,
    Organization,
    OrganizationLogo,
    OrgKind,
    OrgType,
    OutboxMessage,
)
from app.models.people import (  # noqa: F401
    AuditRecord,
    LoginEvent,
    Membership,
    ParentLink,
    Person,
    Role,
    Sex,
)
from app.models.pupil_file import PupilAchievement, PupilFile  # noqa: F401
from app.models.staff import (  # noqa: F401
    Award,
    Education,
    IdentityDocument,
    QualificationCourse,
    StaffEvent,
    StaffFile,
)
from app.models.study import (  # noqa: F401
    AcademicYear,
    Building,
    ClassEnrollment,
    CurriculumItem,
    CurriculumSubgroupTeacher,
    PeriodKind,
    Room,
    SchoolClass,
    SplitKind,
    StudyPeriod,
    StudySettings,
    Subgroup,
    SubgroupMember,
    Subject,
    SubjectClass,
    SubjectRoom,
    SubjectTeacher,
    WeekCorrection,
)
from app.models.timetable import (  # noqa: F401
    BellSchedule,
    BellSlot,
    Lesson,
    LessonPlan,
    LessonStatus,
    PlanTopic,
    TimetableEntry,
)
